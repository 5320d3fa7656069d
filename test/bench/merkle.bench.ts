// npm run bench:merkle — snapshot read/hash/tree throughput against sha256sum over the same files, and the
// time of a no-change re-sync. BENCH_FILES scales the tree (default 100000); the generated tree is kept
// in the temp directory and reused by later runs.
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { diffMerkle } from '../../activities/merkle/diff.js';
import { syncMerkle } from '../../activities/merkle/sync.js';
import { buildMerkleTree } from '../../activities/merkle/tree.js';
import { readLocalTree } from '../../activities/snapshot/read-tree.js';
import { openStatCache, RACY_MARGIN_MS } from '../../activities/snapshot/stat-cache.js';
import { takeSnapshot } from '../../activities/snapshot/take-snapshot.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';

const FILES = Number(process.env.BENCH_FILES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GENERATOR_VERSION = 1;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const base = join(tmpdir(), `vigil-merkle-bench-${FILES}`);
const treeDir = join(base, 'tree');
const marker = join(base, 'complete.json');

interface Marker {
  version: number;
  files: number;
  bytes: number;
}

/** Deterministic PRNG (mulberry32), so every machine benchmarks the same tree. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(): Promise<Marker> {
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as Marker;
    if (m.version === GENERATOR_VERSION && m.files === FILES) return m;
  }
  rmSync(base, { recursive: true, force: true });
  const rand = prng(42);
  const started = performance.now();
  process.stdout.write(`generating ${FILES} files in ${treeDir} ... `);

  // Source-like text: a pool of code-ish lines each file takes a slice of.
  const words = ['const', 'let', 'return', 'function', 'import', 'export', 'if', 'else', 'await', 'user', 'id', 'query', 'req', 'res', 'db', 'map', 'filter', '=>', '{', '}', '(', ')', ';', '=', '+', 'null', 'true'];
  let pool = '';
  while (pool.length < 64 * 1024) {
    const n = 3 + Math.floor(rand() * 10);
    let line = '  '.repeat(Math.floor(rand() * 4));
    for (let i = 0; i < n; i++) line += `${words[Math.floor(rand() * words.length)]} `;
    pool += `${line.trimEnd()}\n`;
  }
  pool = pool.repeat(2);

  // Nested directories, about a dozen files each, up to six levels deep.
  const dirs = [''];
  const dirCount = Math.max(1, Math.floor(FILES / 12));
  for (let i = 1; i < dirCount; i++) {
    const parent = dirs[Math.floor(rand() * dirs.length)];
    const deep = parent.split('/').length >= 6 ? '' : parent;
    dirs.push(`${deep}${['src', 'lib', 'pkg', 'app', 'test', 'util', 'api', 'core'][i % 8]}${i}/`);
  }
  for (const d of dirs) mkdirSync(join(treeDir, d), { recursive: true });

  const exts = ['.ts', '.js', '.py', '.go', '.java', '.md', '.json', '.rb'];
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    // Log-uniform sizes between 200 B and 20 KB: many small files, some large ones.
    const size = Math.round(Math.exp(Math.log(200) + rand() * Math.log(100)));
    const header = `// file ${i} ${rand().toString(36).slice(2)}\n`;
    const offset = Math.floor(rand() * 64 * 1024);
    const content = header + pool.slice(offset, offset + Math.max(0, size - header.length));
    // One file in a thousand is a build artefact the root .gitignore drops.
    const name = i % 1000 === 999 ? `out${i}.tmp` : `file${i}${exts[i % exts.length]}`;
    writeFileSync(join(treeDir, dirs[Math.floor(rand() * dirs.length)], name), content);
    bytes += content.length;
  }
  const gitignore = '*.tmp\nnode_modules/\n';
  writeFileSync(join(treeDir, '.gitignore'), gitignore);
  bytes += gitignore.length;
  const m: Marker = { version: GENERATOR_VERSION, files: FILES, bytes };
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  // Files written within the racy window would be (rightly) re-hashed by the re-sync; let it pass.
  await sleep(RACY_MARGIN_MS + 200);
  writeFileSync(marker, JSON.stringify(m));
  return m;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes: number) => bytes / 1e6;

async function main() {
  const gen = await generate();
  const work = join(base, `run-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    // Warm the page cache once, so both sides read from memory.
    execSync('find . -type f -print0 | xargs -0 cat > /dev/null', { cwd: treeDir, shell: '/bin/bash' });

    // Interleaved, so load from other processes hits both sides alike.
    const shaTimes: number[] = [];
    const buildTimes: number[] = [];
    const walkTimes: number[] = [];
    const treeTimes: number[] = [];
    let files = 0;
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      execSync('find . -type f -print0 | xargs -0 sha256sum > /dev/null', { cwd: treeDir, shell: '/bin/bash' });
      shaTimes.push(performance.now() - t0);

      const cacheFile = join(work, `cold-${i}.db`);
      const cache = openStatCache(cacheFile);
      t0 = performance.now();
      const local = await readLocalTree(treeDir, { maxFileBytes: MAX_FILE_BYTES, statCache: cache });
      const t1 = performance.now();
      buildMerkleTree(local.files);
      const t2 = performance.now();
      cache.close();
      rmSync(cacheFile, { force: true });
      buildTimes.push(t2 - t0);
      walkTimes.push(t1 - t0);
      treeTimes.push(t2 - t1);
      files = local.files.length;
      bytes = local.bytes;
    }

    // The stages end to end, with the real SQLite store.
    const store = openSqliteStore(join(work, 'store.db'));
    const statCacheFile = join(work, 'statcache.db');
    const input = { tenant: 'bench', repoKey: treeDir, source: { kind: 'local' as const, path: treeDir }, workDir: work, statCacheFile, limits: { maxFileBytes: MAX_FILE_BYTES } };
    let t0 = performance.now();
    const snap = await takeSnapshot(store, input);
    const firstSnapshotMs = performance.now() - t0;
    t0 = performance.now();
    await syncMerkle(store, { tenant: 'bench', repoKey: treeDir, snapshotId: snap.snapshotId });
    const firstSyncMs = performance.now() - t0;

    // No-change re-sync: stat-cache hits + tree build + diff against the stored tree.
    const resyncTimes: number[] = [];
    let resyncStats = { hashed: 0, cacheHits: 0 };
    let resyncChanges = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const cache = openStatCache(statCacheFile);
      const local = await readLocalTree(treeDir, { maxFileBytes: MAX_FILE_BYTES, statCache: cache });
      const tree = buildMerkleTree(local.files);
      const stored = await store.getRepoTree('bench', treeDir);
      const diff = await diffMerkle(stored?.rootHash, tree, (h) => store.getMerkleNode('bench', h));
      cache.close();
      resyncTimes.push(performance.now() - t);
      resyncStats = local.stats;
      resyncChanges = diff.added.length + diff.changed.length + diff.removed.length;
    }

    t0 = performance.now();
    const again = await takeSnapshot(store, input);
    const againSnapshotMs = performance.now() - t0;
    t0 = performance.now();
    const againSync = await syncMerkle(store, { tenant: 'bench', repoKey: treeDir, snapshotId: again.snapshotId });
    const againSyncMs = performance.now() - t0;
    await store.close();

    const sha = median(shaTimes);
    const build = median(buildTimes);
    const shaMBs = mb(gen.bytes) / (sha / 1000);
    const buildMBs = mb(bytes) / (build / 1000);
    const resync = median(resyncTimes);
    const walkMs = median(walkTimes);
    const treeMs = median(treeTimes);
    const rows: [string, string, string][] = [
      ['tree', `${gen.files + 1} files, ${mb(gen.bytes).toFixed(0)} MB`, `${files} files kept, ${mb(bytes).toFixed(0)} MB`],
      ['sha256sum (find | xargs)', `${(sha / 1000).toFixed(2)} s`, `${shaMBs.toFixed(0)} MB/s, ${((gen.files + 1) / (sha / 1000)).toFixed(0)} files/s`],
      ['full build, cold stat cache', `${(build / 1000).toFixed(2)} s`, `${buildMBs.toFixed(0)} MB/s, ${(files / (build / 1000)).toFixed(0)} files/s`],
      ['  of which walk+read+hash+cache', `${(walkMs / 1000).toFixed(2)} s`, ''],
      ['  of which Merkle tree', `${(treeMs / 1000).toFixed(2)} s`, ''],
      ['build / sha256sum throughput', `${((buildMBs / shaMBs) * 100).toFixed(0)} %`, 'target >= 80 %'],
      ['no-change re-sync', `${(resync / 1000).toFixed(2)} s`, `target < 2 s; ${resyncStats.cacheHits} hits, ${resyncStats.hashed} hashed, ${resyncChanges} changes`],
      ['takeSnapshot, first (uploads blobs)', `${(firstSnapshotMs / 1000).toFixed(2)} s`, `${snap.uploadedBlobs} blobs uploaded`],
      ['syncMerkle, first', `${(firstSyncMs / 1000).toFixed(2)} s`, ''],
      ['takeSnapshot, unchanged', `${(againSnapshotMs / 1000).toFixed(2)} s`, `${again.uploadedBlobs} blobs uploaded`],
      ['syncMerkle, unchanged', `${(againSyncMs / 1000).toFixed(2)} s`, `${againSync.unchanged} unchanged`],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.log(`\nmedian of ${RUNS} runs, warm page cache, ${process.arch}, node ${process.version}`);
    for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
    const ok = buildMBs >= 0.8 * shaMBs && resync < 2000;
    console.log(ok ? '\ntargets met' : '\nTARGET MISSED');
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
