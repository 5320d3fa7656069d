// A Merkle tree over a snapshot's files: a file's leaf is its content hash; a directory's hash covers
// its entries' kind, mode, name and hash, so an edit, add, remove, rename or chmod anywhere changes
// every directory hash up to the root, and equal hashes mean equal subtrees.
import { createHash } from 'node:crypto';
import type { MerkleNode } from '../store/store.js';

export const DIR_MODE = '040000';

export interface MerkleTree {
  rootHash: string;
  /** Every directory node, each once (identical directories share a node). */
  nodes: MerkleNode[];
  /** Lookups the diff needs that a stored node does not carry. */
  index: {
    node: Map<string, MerkleNode>;
    /** Node hash -> its children's modes, parallel to `children` (a stored node keeps no modes). */
    modes: Map<string, string[]>;
    /** Node hash -> number of files below it. */
    fileCount: Map<string, number>;
  };
}

export interface MerkleEntry {
  kind: 'file' | 'dir';
  mode: string;
  name: string;
  hash: string;
}

/** One entry's line in its directory's hash. A name cannot contain NUL, so lines cannot be forged. */
export function entryLine(e: MerkleEntry): string {
  return `${e.kind} ${e.mode} ${e.name}\0${e.hash}\n`;
}

/** A directory's hash from its entries, which must be sorted by name. */
export function hashDir(entries: readonly MerkleEntry[]): string {
  let s = '';
  for (const e of entries) s += entryLine(e);
  return createHash('sha256').update(s).digest('hex');
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

interface DirBuild {
  dirs: Map<string, DirBuild>;
  files: { name: string; hash: string; mode: string }[];
}

export function buildMerkleTree(files: readonly { path: string; hash: string; mode: string }[]): MerkleTree {
  const root: DirBuild = { dirs: new Map(), files: [] };
  for (const f of files) {
    let dir = root;
    let start = 0;
    for (let slash = f.path.indexOf('/'); slash !== -1; slash = f.path.indexOf('/', start)) {
      const name = f.path.slice(start, slash);
      let next = dir.dirs.get(name);
      if (!next) dir.dirs.set(name, (next = { dirs: new Map(), files: [] }));
      dir = next;
      start = slash + 1;
    }
    dir.files.push({ name: f.path.slice(start), hash: f.hash, mode: f.mode });
  }

  const index: MerkleTree['index'] = { node: new Map(), modes: new Map(), fileCount: new Map() };
  const nodes: MerkleNode[] = [];

  const finish = (dir: DirBuild): { hash: string; count: number } => {
    const entries: MerkleEntry[] = [];
    let count = dir.files.length;
    for (const f of dir.files) entries.push({ kind: 'file', mode: f.mode, name: f.name, hash: f.hash });
    for (const [name, sub] of dir.dirs) {
      const r = finish(sub);
      count += r.count;
      entries.push({ kind: 'dir', mode: DIR_MODE, name, hash: r.hash });
    }
    entries.sort(byName);
    const hash = hashDir(entries);
    if (!index.node.has(hash)) {
      const node: MerkleNode = { hash, children: entries.map((e) => ({ name: e.name, hash: e.hash, kind: e.kind })) };
      index.node.set(hash, node);
      index.modes.set(hash, entries.map((e) => e.mode));
      index.fileCount.set(hash, count);
      nodes.push(node);
    }
    return { hash, count };
  };

  const rootHash = finish(root).hash;
  return { rootHash, nodes, index };
}
