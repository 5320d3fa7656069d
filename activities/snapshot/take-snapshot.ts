// The snapshot stage: read a source tree, upload the blobs the store lacks, then record the manifest.
// The snapshot row is written last, so a failed, cancelled or over-limit attempt never leaves a half
// snapshot, only content-addressed blobs a retry reuses (at most the byte limit's worth: the walk stops at
// the first file past a limit, before that file's blob is offered).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScanSource } from '../../workflows/definitions.js';
import { nonRetryable } from '../errors.js';
import type { SnapshotFile, Store } from '../store/store.js';
import { gitRevision } from '../git/revision.js';
import { cloneGitSource } from './git-clone.js';
import { allowedProtocols, checkGitSource } from './git-source.js';
import { DEFAULT_SNAPSHOT_LIMITS, snapshotLimitsFromEnv, type SnapshotLimits } from './limits.js';
import { readLocalTree, type Blob, type LocalTree, type SkipCounts } from './read-tree.js';
import { snapshotId } from './snapshot-id.js';
import { validateRoot } from './source-path.js';
import { openStatCache } from './stat-cache.js';

export interface SnapshotProgress {
  phase: 'clone' | 'read' | 'upload';
  files: number;
  bytes: number;
}

export interface TakeSnapshotInput {
  tenant: string;
  repoKey: string;
  source: ScanSource;
  /** Scratch space; a git source is cloned into a temporary directory here and removed afterwards. */
  workDir: string;
  /** Stat cache file (in Vigil's data directory); used for local sources only. */
  statCacheFile?: string;
  /** Omitted: read from the environment (VIGIL_MAX_*); partial: defaults for the rest. */
  limits?: Partial<SnapshotLimits>;
  /** The operator's git settings (GIT_ALLOW_PROTOCOL, VIGIL_GIT_ALLOW_HOSTS); default process.env. */
  gitEnv?: NodeJS.ProcessEnv;
  onProgress?: (p: SnapshotProgress) => void;
  signal?: AbortSignal;
}

export interface TakeSnapshotResult {
  snapshotId: string;
  files: number;
  bytes: number;
  skipped: SkipCounts;
  commit?: string;
  dirty?: boolean;
  /** Blobs this call added to the store (0 on a retry or an unchanged tree). */
  uploadedBlobs: number;
}

const UPLOAD_BATCH_BYTES = 8 * 1024 * 1024;
const HAS_BLOBS_CHUNK = 1000;

export async function takeSnapshot(store: Store, input: TakeSnapshotInput): Promise<TakeSnapshotResult> {
  const { source, signal } = input;
  const limits = input.limits ? { ...DEFAULT_SNAPSHOT_LIMITS, ...input.limits } : snapshotLimitsFromEnv();
  const { maxFileBytes } = limits;
  const uploader = blobUploader(store, input.tenant);

  if (source.kind === 'local') {
    const root = validateRoot(source.path);
    const git = await gitRevision(root, signal);
    const statCache = input.statCacheFile ? openStatCache(input.statCacheFile) : undefined;
    try {
      const tree = await readLocalTree(root, {
        maxFileBytes,
        limits,
        statCache,
        signal,
        onProgress: (p) => input.onProgress?.({ phase: 'read', ...p }),
        onBlobs: (batch) => uploader.upload(batch),
      });
      return await record(store, input, tree, uploader, git);
    } finally {
      statCache?.close();
    }
  }

  if (source.kind === 'git') {
    // Refuse a bad URL before touching the disk or the network.
    checkGitSource(source, allowedProtocols(input.gitEnv));
    await mkdir(input.workDir, { recursive: true, mode: 0o700 });
    const tmp = await mkdtemp(join(input.workDir, 'clone-'));
    try {
      input.onProgress?.({ phase: 'clone', files: 0, bytes: 0 });
      const cloned = await cloneGitSource(source, join(tmp, 'repo'), { signal, env: input.gitEnv });
      // No stat cache: a fresh clone has fresh inodes and times, so it could never hit.
      const tree = await readLocalTree(cloned.dir, {
        maxFileBytes,
        limits,
        signal,
        onProgress: (p) => input.onProgress?.({ phase: 'read', ...p }),
        onBlobs: (batch) => uploader.upload(batch),
      });
      return await record(store, input, tree, uploader, { commit: cloned.commit, dirty: false });
    } finally {
      await rm(tmp, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  throw nonRetryable('InvalidSourceError', `unknown source kind "${(source as { kind: unknown }).kind}"; use "local" or "git"`);
}

interface BlobUploader {
  /** Hashes whose content has been offered (and uploaded if the store lacked it). */
  readonly seen: Set<string>;
  uploaded: number;
  upload(batch: Blob[]): Promise<void>;
}

/** Uploads only what the store lacks: one hasBlobs query per batch, then putBlobs of the rest. */
function blobUploader(store: Store, tenant: string): BlobUploader {
  const u: BlobUploader = {
    seen: new Set(),
    uploaded: 0,
    async upload(batch) {
      const have = await store.hasBlobs(tenant, batch.map((b) => b.hash));
      const missing = batch.filter((b) => !have.has(b.hash));
      if (missing.length > 0) await store.putBlobs(tenant, missing);
      u.uploaded += missing.length;
      for (const b of batch) u.seen.add(b.hash);
    },
  };
  return u;
}

async function record(
  store: Store,
  input: TakeSnapshotInput,
  tree: LocalTree,
  uploader: BlobUploader,
  git: { commit: string; dirty: boolean } | undefined,
): Promise<TakeSnapshotResult> {
  await uploadUnseen(store, input, tree, uploader);
  input.signal?.throwIfAborted();

  const id = snapshotId(tree.files, { repoKey: input.repoKey, ...(git ? { commit: git.commit, dirty: git.dirty } : {}) });
  // Idempotent by id: a retry writes the same row again, which the store ignores.
  await store.putSnapshot({
    id,
    tenant: input.tenant,
    repoKey: input.repoKey,
    ...(git ? { commit: git.commit, dirty: git.dirty } : {}),
    createdAt: new Date().toISOString(),
    files: tree.files,
    skipped: tree.skipped,
    bytes: tree.bytes,
  });
  return {
    snapshotId: id,
    files: tree.files.length,
    bytes: tree.bytes,
    skipped: tree.skipped,
    ...(git ? { commit: git.commit, dirty: git.dirty } : {}),
    uploadedBlobs: uploader.uploaded,
  };
}

/**
 * Files the stat cache recognised were not read, so their content was never offered. The cache knows
 * nothing about this store or tenant: ask the store, and read from disk only what it lacks.
 */
async function uploadUnseen(store: Store, input: TakeSnapshotInput, tree: LocalTree, uploader: BlobUploader): Promise<void> {
  const byHash = new Map<string, SnapshotFile>();
  for (const f of tree.files) if (!uploader.seen.has(f.hash) && !byHash.has(f.hash)) byHash.set(f.hash, f);
  const hashes = [...byHash.keys()];
  let batch: Blob[] = [];
  let batchBytes = 0;
  for (let i = 0; i < hashes.length; i += HAS_BLOBS_CHUNK) {
    input.signal?.throwIfAborted();
    const chunk = hashes.slice(i, i + HAS_BLOBS_CHUNK);
    const have = await store.hasBlobs(input.tenant, chunk);
    for (const hash of chunk) {
      if (have.has(hash)) continue;
      const file = byHash.get(hash)!;
      batch.push({ hash, content: tree.readBlob(file) });
      batchBytes += file.size;
      if (batchBytes >= UPLOAD_BATCH_BYTES) {
        await store.putBlobs(input.tenant, batch);
        uploader.uploaded += batch.length;
        batch = [];
        batchBytes = 0;
      }
    }
    input.onProgress?.({ phase: 'upload', files: Math.min(i + HAS_BLOBS_CHUNK, hashes.length), bytes: tree.bytes });
  }
  if (batch.length > 0) {
    await store.putBlobs(input.tenant, batch);
    uploader.uploaded += batch.length;
  }
}
