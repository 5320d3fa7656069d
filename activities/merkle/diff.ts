// Diffs a new Merkle tree against a stored one, top-down: a subtree whose hash is unchanged is counted
// from the new tree's index and never visited, so old nodes are fetched only along changed paths.
import type { MerkleNode } from '../store/store.js';
import { DIR_MODE, hashDir, byName, type MerkleEntry, type MerkleTree } from './tree.js';

export interface MerkleDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: number;
  /** Nodes of the new tree that differ from the old tree at their place: the ones a store needs. */
  newNodes: MerkleNode[];
  /**
   * Some old nodes were missing from the store: files below them count as added and removals there
   * are unknown. A store only lacks nodes if it was pruned or damaged.
   */
  incomplete: boolean;
}

export interface DiffOptions {
  /**
   * The old tree's file modes by path. Stored nodes keep no modes, so this is asked (once, lazily) only
   * when a directory's hash shows a mode change its entries cannot explain. Without it, every unchanged-
   * content file of such a directory is reported as changed: over-reporting, never missing a change.
   */
  oldModes?: () => Promise<ReadonlyMap<string, string> | undefined>;
  /** Old nodes fetched at once (they may come from a remote store). */
  concurrency?: number;
}

type GetNode = (hash: string) => Promise<MerkleNode | undefined>;

interface Pair {
  prefix: string;
  oldHash?: string;
  newHash?: string;
}

/** At most 2^this guesses at the unknown old modes of a directory's changed files. */
const MAX_MODE_GUESS_BITS = 8;
const FILE_MODES = ['100644', '100755'];

export async function diffMerkle(oldRoot: string | undefined, tree: MerkleTree, getNode: GetNode, opts: DiffOptions = {}): Promise<MerkleDiff> {
  const { index } = tree;
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  let incomplete = false;
  const toStore = new Set<string>();

  let modesPromise: Promise<ReadonlyMap<string, string> | undefined> | undefined;
  const oldModes = () => (modesPromise ??= opts.oldModes ? opts.oldModes() : Promise.resolve(undefined));

  /** Every file below a new node is added, and every node below it is new. */
  const addAll = (prefix: string, hash: string) => {
    const stack: [string, string][] = [[prefix, hash]];
    while (stack.length > 0) {
      const [p, h] = stack.pop()!;
      toStore.add(h);
      for (const c of index.node.get(h)!.children) {
        if (c.kind === 'file') added.push(p + c.name);
        else stack.push([`${p}${c.name}/`, c.hash]);
      }
    }
  };

  if (oldRoot === tree.rootHash) {
    unchanged = index.fileCount.get(tree.rootHash)!;
  } else if (oldRoot === undefined) {
    addAll('', tree.rootHash);
  } else {
    let frontier: Pair[] = [{ prefix: '', oldHash: oldRoot, newHash: tree.rootHash }];
    while (frontier.length > 0) {
      const oldNodes = await fetchAll(
        frontier.flatMap((p) => (p.oldHash ? [p.oldHash] : [])),
        getNode,
        opts.concurrency ?? 16,
      );
      const next: Pair[] = [];
      for (const { prefix, oldHash, newHash } of frontier) {
        const oldNode = oldHash ? oldNodes.get(oldHash) : undefined;
        if (oldHash && !oldNode) incomplete = true;
        if (!oldNode) {
          if (newHash) addAll(prefix, newHash);
          continue;
        }
        if (!newHash) {
          // A removed directory: its files are listed from the old nodes below it.
          for (const c of oldNode.children) {
            if (c.kind === 'file') removed.push(prefix + c.name);
            else next.push({ prefix: `${prefix}${c.name}/`, oldHash: c.hash });
          }
          continue;
        }
        toStore.add(newHash);
        const newNode = index.node.get(newHash)!;
        const newModes = index.modes.get(newHash)!;
        const oldByName = new Map(oldNode.children.map((c) => [c.name, c]));
        /** Same name, same content: unchanged unless its mode changed. */
        const sameContent: { name: string; mode: string }[] = [];

        newNode.children.forEach((c, i) => {
          const path = prefix + c.name;
          const o = oldByName.get(c.name);
          oldByName.delete(c.name);
          if (o && o.kind === c.kind) {
            if (c.kind === 'file') {
              if (o.hash !== c.hash) changed.push(path);
              else sameContent.push({ name: c.name, mode: newModes[i] });
            } else if (o.hash === c.hash) {
              unchanged += index.fileCount.get(c.hash)!;
            } else {
              next.push({ prefix: `${path}/`, oldHash: o.hash, newHash: c.hash });
            }
            return;
          }
          if (o) {
            // File became directory or the reverse: the old side is removed, the new one added.
            if (o.kind === 'file') removed.push(path);
            else next.push({ prefix: `${path}/`, oldHash: o.hash });
          }
          if (c.kind === 'file') added.push(path);
          else addAll(`${path}/`, c.hash);
        });
        for (const o of oldByName.values()) {
          if (o.kind === 'file') removed.push(prefix + o.name);
          else next.push({ prefix: `${prefix}${o.name}/`, oldHash: o.hash });
        }

        if (sameContent.length === 0) continue;
        if (modesExplainOldHash(oldNode, new Map(sameContent.map((s) => [s.name, s.mode])))) {
          unchanged += sameContent.length;
          continue;
        }
        // Some file of this directory changed mode only: find which.
        const modes = await oldModes();
        for (const s of sameContent) {
          if (modes && modes.get(prefix + s.name) === s.mode) unchanged++;
          else changed.push(prefix + s.name);
        }
      }
      frontier = next;
    }
  }

  added.sort();
  changed.sort();
  removed.sort();
  return { added, changed, removed, unchanged, newNodes: [...toStore].map((h) => index.node.get(h)!), incomplete };
}

/**
 * Whether the old node's hash is reproduced when its same-content files keep their new modes. Other
 * old files (changed or removed) have unknown old modes; every combination is tried, up to a bound.
 */
function modesExplainOldHash(oldNode: MerkleNode, keptModes: ReadonlyMap<string, string>): boolean {
  const entries: MerkleEntry[] = oldNode.children.map((c) => ({
    kind: c.kind,
    mode: c.kind === 'dir' ? DIR_MODE : (keptModes.get(c.name) ?? FILE_MODES[0]),
    name: c.name,
    hash: c.hash,
  }));
  entries.sort(byName);
  const unknown = entries.filter((e) => e.kind === 'file' && !keptModes.has(e.name));
  if (unknown.length > MAX_MODE_GUESS_BITS) return false;
  for (let bits = 0; bits < 1 << unknown.length; bits++) {
    unknown.forEach((e, i) => (e.mode = FILE_MODES[(bits >> i) & 1]));
    if (hashDir(entries) === oldNode.hash) return true;
  }
  return false;
}

async function fetchAll(hashes: string[], getNode: GetNode, concurrency: number): Promise<Map<string, MerkleNode | undefined>> {
  const unique = [...new Set(hashes)];
  const out = new Map<string, MerkleNode | undefined>();
  let next = 0;
  const worker = async () => {
    while (next < unique.length) {
      const h = unique[next++];
      out.set(h, await getNode(h));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, unique.length) }, worker));
  return out;
}
