#!/usr/bin/env node
// The `vigil` command. It runs the JavaScript build of the sources as they are now (infra/build.mjs, made at
// install by infra/bootstrap.mjs) and, when there is none (a source changed since, or no build yet), the
// TypeScript sources themselves through tsx, so `npx vigil` always runs the current code.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentBuild } from '../../infra/build.mjs';

// VIGIL_TIMINGS: start-up timing marks for `npm run bench:startup` (infra/timings.ts writes the rest).
const mark = (name) => {
  if (process.env.VIGIL_TIMINGS) appendFileSync(process.env.VIGIL_TIMINGS, `${JSON.stringify({ mark: name, ms: Math.round(performance.now()) })}\n`);
};
process.on('exit', () => mark('cli.exit'));

const build = currentBuild();
mark(build ? 'launcher.built' : 'launcher.tsx');
let main;
if (build) {
  ({ main } = await import(pathToFileURL(join(build, 'api', 'cli', 'main.js')).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
