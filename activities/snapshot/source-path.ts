// Checks the directory a local scan names, so a bad path fails at once with what to fix.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { nonRetryable } from '../errors.js';

/** Resolves and checks the directory to snapshot; throws InvalidSourceError with what to fix. */
export function validateRoot(path: string): string {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw nonRetryable('InvalidSourceError', `path "${abs}" does not exist; give the path of the repository directory`);
    if (code === 'EACCES') throw nonRetryable('InvalidSourceError', `path "${abs}" is not accessible (permission denied); make it readable by the user running the Vigil worker`);
    throw err;
  }
  if (st.isFile()) throw nonRetryable('InvalidSourceError', `"${abs}" is a file; give the repository directory`);
  if (!st.isDirectory()) throw nonRetryable('InvalidSourceError', `"${abs}" is not a directory; give the repository directory`);
  try {
    readdirSync(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') {
      throw nonRetryable('InvalidSourceError', `directory "${abs}" is not readable (permission denied); make it readable by the user running the Vigil worker`);
    }
    throw err;
  }
  return realpathSync(abs);
}
