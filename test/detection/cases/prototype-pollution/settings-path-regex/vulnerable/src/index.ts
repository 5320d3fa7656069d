export type Tree = { [key: string]: unknown };

/** Stores `value` under a colon-separated settings path ("ui:theme:accent"), creating the levels. */
export class SettingsTree {
  private root: Tree = {};

  put(path: string, value: unknown): void {
    const keys = path.split(':');
    const leaf = keys.pop() as string;
    let level: Tree = this.root;
    for (const key of keys) {
      if (typeof level[key] !== 'object' || level[key] === null) level[key] = {};
      level = level[key] as Tree;
    }
    level[leaf] = value;
  }

  get(path: string): unknown {
    return path.split(':').reduce<unknown>((at, k) => (at == null ? undefined : (at as Tree)[k]), this.root);
  }
}
