// Two different repositories for the concurrent-analysis tests: real multi-file Express apps with findings.
// A is the bench's generated app (routes → controllers → services → repositories, planted SQL injection, command
// injection and path traversal); B is a smaller generated app with the vulnerable-express fixture beside it in
// legacy/. Their resources share paths and identical texts (models/user.model.js …), so a cache shared between
// the two repositories would find entries to reuse: the tests check that it never does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candidate } from '../../activities/model.js';
import { generateApp } from '../bench/generate-app.js';

export const FIXTURE = fileURLToPath(new URL('../fixtures/vulnerable-express', import.meta.url));

function readTree(root: string, dir = root, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) readTree(root, p, out);
    else out[relative(root, p)] = readFileSync(p, 'utf8');
  }
  return out;
}

export function repoA(): Record<string, string> {
  return generateApp(16).files;
}

export function repoB(): Record<string, string> {
  const legacy = Object.entries(readTree(FIXTURE)).map(([p, t]) => [`legacy/${p}`, t]);
  return { ...generateApp(10).files, ...Object.fromEntries(legacy) };
}

const PLANTED_SQL = 'return this.db.query(sql)';

/** The model file with the planted SQL injection, which both repositories have with the same text. */
export function sharedFile(a: Record<string, string>, b: Record<string, string>): string {
  const f = Object.keys(a).sort().find((p) => p.startsWith('models/') && a[p].includes(PLANTED_SQL) && b[p] === a[p]);
  if (!f) throw new Error('the two test repositories no longer share the planted model file; pick another pair in test/helpers/concurrent-analyses.ts');
  return f;
}

/** A one-line change to that model file that fixes its SQL injection (so the findings change). */
export function editModel(files: Record<string, string>, path: string): Record<string, string> {
  const edited = files[path].replace(PLANTED_SQL, "return this.db.query('SELECT 1')");
  if (edited === files[path]) throw new Error(`editModel: ${path} has no planted query to change`);
  return { ...files, [path]: edited };
}

/** Everything an analysis reports, in a stable order: equal strings mean equal results. */
export const canonical = (cs: Candidate[]): string => JSON.stringify([...cs].sort((a, b) => a.id.localeCompare(b.id)));
