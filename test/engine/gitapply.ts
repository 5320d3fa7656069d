// Apply a unified diff to in-memory files with the real `git apply`, in a throwaway repository.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function gitApply(files: Record<string, string>, diff: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-patch-'));
  try {
    execFileSync('git', ['init', '-q', dir]);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    writeFileSync(join(dir, '.patch'), diff);
    execFileSync('git', ['-C', dir, 'apply', '--check', '.patch'], { stdio: 'pipe' });
    execFileSync('git', ['-C', dir, 'apply', '.patch'], { stdio: 'pipe' });
    const out: Record<string, string> = {};
    for (const p of Object.keys(files)) out[p] = readFileSync(join(dir, p), 'utf8');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
