// Entry point the worker bundles: every workflow Vigil registers.
export { scan } from './scan.js';
export { scanEstimate } from './estimate.js';
