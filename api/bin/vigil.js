#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx vigil` works from a clone without a build step.
import { appendFileSync } from 'node:fs';
import { register } from 'tsx/esm/api';

if (process.env.VIGIL_TIMINGS) {
  process.on('exit', () => appendFileSync(process.env.VIGIL_TIMINGS, `${JSON.stringify({ mark: 'cli.exit', ms: Math.round(performance.now()) })}\n`));
}
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
