// npm run bench:store — Merkle-sync upload of a 50k-file repository on both stores (encrypted at rest, as
// deployed): first snapshot + Merkle sync (every blob uploaded), then an unchanged re-sync. Turbopuffer runs
// through the real client against the local stand-in of its HTTP API (in this process), so its figures
// measure Vigil's side (chunking, encryption, token hashing, batching, JSON) plus loopback HTTP, not
// Turbopuffer's service. BENCH_FILES scales the tree (default 50000).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { syncMerkle } from '../../activities/merkle/sync.js';
import { takeSnapshot } from '../../activities/snapshot/take-snapshot.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import type { Store } from '../../activities/store/store.js';
import { openTurbopufferStore } from '../../activities/store/turbopuffer-store.js';
import { startTurbopufferStandin } from '../helpers/turbopuffer-standin.js';

const FILES = Number(process.env.BENCH_FILES ?? 50_000);
const base = join(tmpdir(), `vigil-store-bench-${FILES}`);
const treeDir = join(base, 'tree');
const marker = join(base, 'complete.json');

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(): { files: number; bytes: number } {
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8'));
  rmSync(base, { recursive: true, force: true });
  const rand = prng(7);
  const words = ['const', 'return', 'function', 'import', 'export', 'await', 'user', 'id', 'query', 'req', 'res', 'db', 'map', 'filter', '=>', '{', '}', '(', ')', ';', '=', 'null', 'sanitize', 'render', 'token'];
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(treeDir, `pkg${i % 50}`, `mod${Math.floor(i / 50) % 40}`);
    if (i < 2000) mkdirSync(dir, { recursive: true });
    const lines = 10 + Math.floor(rand() * 80);
    let text = `// file ${i}\n`;
    for (let l = 0; l < lines; l++) {
      let line = '  ';
      for (let w = 3 + Math.floor(rand() * 8); w > 0; w--) line += `${words[Math.floor(rand() * words.length)]}${w % 3 === 0 ? i % 997 : ''} `;
      text += `${line.trimEnd()}\n`;
    }
    writeFileSync(join(dir, `f${i}.js`), text);
    bytes += Buffer.byteLength(text);
  }
  const m = { files: FILES, bytes };
  writeFileSync(marker, JSON.stringify(m));
  return m;
}

const mb = (b: number) => b / (1024 * 1024);

async function bench(name: string, store: Store, work: string) {
  const input = { tenant: 'bench', repoKey: treeDir, source: { kind: 'local' as const, path: treeDir }, workDir: work, statCacheFile: join(work, 'statcache.db'), limits: { maxFileBytes: 2 * 1024 * 1024 } };
  let t = performance.now();
  const snap = await takeSnapshot(store, input);
  const sync = await syncMerkle(store, { tenant: 'bench', repoKey: treeDir, snapshotId: snap.snapshotId });
  const first = (performance.now() - t) / 1000;
  t = performance.now();
  const again = await takeSnapshot(store, input);
  const againSync = await syncMerkle(store, { tenant: 'bench', repoKey: treeDir, snapshotId: again.snapshotId });
  const resync = (performance.now() - t) / 1000;
  void sync;
  return {
    name,
    first,
    files: snap.files,
    mbs: mb(snap.bytes) / first,
    filesPerSec: snap.files / first,
    uploaded: snap.uploadedBlobs,
    resync,
    reuploaded: again.uploadedBlobs,
    unchanged: againSync.unchanged,
  };
}

const gen = generate();
const crypto = createStoreCrypto(keyringFromKeys([randomBytes(32)]));
const results = [];
{
  const work = mkdtempSync(join(tmpdir(), 'vigil-store-bench-sqlite-'));
  const store = openSqliteStore(join(work, 'vigil.db'), { crypto });
  results.push(await bench('sqlite (encrypted)', store, work));
  await store.close();
  rmSync(work, { recursive: true, force: true });
}
{
  const tp = await startTurbopufferStandin();
  const work = mkdtempSync(join(tmpdir(), 'vigil-store-bench-tpuf-'));
  const store = openTurbopufferStore({ apiKey: tp.apiKey, baseURL: tp.url, crypto, prefix: 'bench' });
  results.push(await bench('turbopuffer (stand-in, loopback)', store, work));
  await store.close();
  await tp.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n${gen.files} files, ${mb(gen.bytes).toFixed(1)} MB; ${process.arch}, node ${process.version}`);
for (const r of results) {
  console.log(
    `${r.name.padEnd(34)} first sync ${r.first.toFixed(2)} s: ${r.filesPerSec.toFixed(0)} files/s, ${r.mbs.toFixed(1)} MB/s ` +
      `(${r.uploaded} blobs uploaded) | no-change re-sync ${r.resync.toFixed(2)} s (${r.reuploaded} uploaded, ${r.unchanged} unchanged)`,
  );
}
