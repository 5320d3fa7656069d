// .gitignore handling for the tree walk, with git's precedence: rules from a deeper .gitignore win over
// shallower ones, .git/info/exclude comes last, and within one file the last matching rule wins.
import ignore from 'ignore';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Rules of one ignore file. The `ignore` library checks a path's parent directories too, which git does
 * not do (it just never walks into an excluded directory), and which costs time. Rules without a slash
 * (but a trailing one) match a name at any depth, so those are tested against the name alone: exact, and
 * several times cheaper. Rules are grouped so that file order (last match wins) is kept.
 */
export interface IgnoreLevel {
  /** Directory of the rules relative to the walk root: '' or 'a/b/'. */
  prefix: string;
  /** In file order; the last group with a match decides. */
  groups: { rules: ignore.Ignore; namesOnly: boolean }[];
}

/** Parses one ignore file; undefined when it holds no rules. */
export function parseIgnoreLevel(prefix: string, text: string): IgnoreLevel | undefined {
  const patterns = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (patterns.length === 0) return undefined;
  const namesOnly = (l: string) => !l.trim().replace(/^!/, '').replace(/\/$/, '').includes('/');
  // Git matches case-sensitively on Linux (core.ignorecase=false); the library defaults to the opposite.
  const group = (lines: string[], names: boolean) => ({ rules: ignore({ ignorecase: false }).add(lines), namesOnly: names });

  if (!patterns.some((l) => l.startsWith('!'))) {
    // Without negations order does not matter: any match ignores.
    const names = patterns.filter(namesOnly);
    const paths = patterns.filter((l) => !namesOnly(l));
    return { prefix, groups: [...(names.length ? [group(names, true)] : []), ...(paths.length ? [group(paths, false)] : [])] };
  }
  const groups: IgnoreLevel['groups'] = [];
  let run: string[] = [];
  let runNames = namesOnly(patterns[0]);
  for (const l of patterns) {
    if (namesOnly(l) !== runNames) {
      groups.push(group(run, runNames));
      run = [];
      runNames = !runNames;
    }
    run.push(l);
  }
  groups.push(group(run, runNames));
  return { prefix, groups };
}

/** `.git/info/exclude` of the repository at `root` (also when `.git` is a worktree's "gitdir:" file). */
export function readExcludeLevel(root: string): IgnoreLevel | undefined {
  const gitDir = findGitDir(root);
  if (!gitDir) return undefined;
  let commonDir = gitDir;
  try {
    // A linked worktree keeps info/exclude in the main repository's directory.
    commonDir = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    /* not a linked worktree */
  }
  const text = readTextIfFile(join(commonDir, 'info', 'exclude'));
  return text === undefined ? undefined : parseIgnoreLevel('', text);
}

function findGitDir(root: string): string | undefined {
  const dotGit = join(root, '.git');
  try {
    const st = statSync(dotGit);
    if (st.isDirectory()) return dotGit;
    if (!st.isFile()) return undefined;
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    return m ? resolve(root, m[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}

export function readTextIfFile(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `rel` (relative to the walk root) is ignored. `levels` runs from shallowest to deepest; the walk
 * never descends into an ignored directory, so (as in git) nothing below one can be re-included.
 *
 * Known gap: if a deeper .gitignore re-includes a directory that a shallower one excludes with a rule
 * containing a slash (e.g. `/vendor/build/`), the library's parent check still applies that rule to the
 * directory's files and ignores them; git would keep them. Rules without a slash are exact.
 */
export function isIgnored(levels: readonly IgnoreLevel[], rel: string, isDir: boolean): boolean {
  const slash = isDir ? '/' : '';
  const name = rel.slice(rel.lastIndexOf('/') + 1) + slash;
  for (let i = levels.length - 1; i >= 0; i--) {
    const { prefix, groups } = levels[i];
    for (let g = groups.length - 1; g >= 0; g--) {
      const { rules, namesOnly } = groups[g];
      const r = rules.test(namesOnly ? name : rel.slice(prefix.length) + slash);
      if (r.ignored) return true;
      if (r.unignored) return false;
    }
  }
  return false;
}
