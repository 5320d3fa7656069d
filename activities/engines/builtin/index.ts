// The built-in, deterministic, offline reasoning engine and its verifier.
export { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION } from './engine.js';
export { createBuiltinVerifier } from './verifier.js';
