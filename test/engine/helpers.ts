// Shared helpers for engine tests: in-memory snapshots and a one-call analysis.
import type { Candidate, EngineOutput, SourceFiles } from '../../activities/model.js';
import { createBuiltinEngine } from '../../activities/engines/builtin/index.js';

export function memoryFiles(files: Record<string, string>): SourceFiles {
  const paths = Object.keys(files).sort();
  return { paths: () => paths, read: (p) => files[p] };
}

export async function analyse(files: Record<string, string>, scope: string[] | null = null): Promise<EngineOutput> {
  return createBuiltinEngine().analyse({ files: memoryFiles(files), scope: scope ? new Set(scope) : null });
}

export async function findings(files: Record<string, string>, ruleId?: string): Promise<Candidate[]> {
  const out = await analyse(files);
  return ruleId ? out.candidates.filter((c) => c.ruleId === ruleId) : out.candidates;
}

export const summary = (cs: Candidate[]) => cs.map((c) => `${c.ruleId}@${c.location.file}:${c.location.startLine}`);

/** An app.js that mounts `./routes` at /api, so handlers there are reachable. */
export const APP = `const express = require('express');
const routes = require('./routes');
const app = express();
app.use('/api', routes);
app.listen(3000);
`;

/** A router module whose single handler body is `body` (req/res in scope), with extra module-level `head`. */
export function route(body: string, head = '', method = 'get'): string {
  return `const express = require('express');
${head}
const router = express.Router();
router.${method}('/x', async (req, res) => {
${body}
});
module.exports = router;
`;
}

/** Files for an app whose route handler is `body`. */
export function appWith(body: string, head = '', extra: Record<string, string> = {}): Record<string, string> {
  return { 'app.js': APP, 'routes.js': route(body, head), ...extra };
}
