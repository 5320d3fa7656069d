// The Pinecone part of bench:retrieval: query latency of the Pinecone vector store (the real client, sealed
// bodies, tenant namespaces) on the same stored decisions as the embedded store, against the local stand-in.
// What it measures is the client's own cost plus HTTP on loopback plus the stand-in's brute-force search:
// not Pinecone's service latency, which adds the network round trip to the index's region.
import { performance } from 'node:perf_hooks';
import type { StoreCrypto } from '../../../activities/crypto/seal.js';
import { openPineconeVectorStore } from '../../../activities/retrieval/pinecone-vector-store.js';
import type { VectorItem } from '../../../activities/retrieval/vector-store.js';
import { startPineconeStandin } from '../../helpers/pinecone-standin.js';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function pineconeLatency(opts: { items: VectorItem[]; queries: Float32Array[]; timed: number; model: string; crypto: StoreCrypto }): Promise<void> {
  const dims = opts.items[0]!.vector.length;
  const standin = await startPineconeStandin({ dimension: dims });
  const store = openPineconeVectorStore({ apiKey: standin.apiKey, indexHost: standin.url, crypto: opts.crypto });
  try {
    // Half the decisions carry another class, so the filtered query has work to skip.
    const items = opts.items.map((it, i) => ({ ...it, record: { ...it.record, ruleId: i % 2 ? 'xss' : 'sql-injection', repository: `repo-${i % 10}` } }));
    let t = performance.now();
    await store.upsert('bench', opts.model, items);
    const upsertMs = performance.now() - t;
    await store.upsert('other-tenant', opts.model, items.slice(0, 1000));
    const time = async (filter?: { ruleId?: string; repository?: string }) => {
      await store.query('bench', opts.model, opts.queries[0]!, 5, filter); // warm the connection
      const from = standin.log.length;
      const times: number[] = [];
      for (let i = 0; i < opts.timed; i++) {
        const s = performance.now();
        await store.query('bench', opts.model, opts.queries[i % opts.queries.length]!, 5, filter);
        times.push(performance.now() - s);
      }
      const server = standin.log.slice(from).map((l) => l.ms).sort((a, b) => a - b);
      return { times: times.sort((a, b) => a - b), server };
    };
    const row = (name: string, r: { times: number[]; server: number[] }) =>
      `| ${name} (${opts.timed} queries) | ${pct(r.times, 50).toFixed(2)} ms | ${pct(r.times, 99).toFixed(2)} ms | ${pct(r.server, 50).toFixed(2)} ms |`;
    const plain = await time();
    const byClass = await time({ ruleId: 'sql-injection' });
    const byBoth = await time({ ruleId: 'sql-injection', repository: 'repo-4' });
    t = performance.now();
    await store.count('bench');
    const countMs = performance.now() - t;
    console.log(
      `\nPinecone client against the LOCAL STAND-IN (client + loopback HTTP + the stand-in's brute-force search; not Pinecone's service latency), ` +
        `${items.length} decisions of one tenant (+1000 of another), ${dims} dimensions: upserts ${(upsertMs / 1000).toFixed(2)} s (batches of 100); count ${countMs.toFixed(1)} ms`,
    );
    console.log("| query (top 5) | p50 | p99 | of which the stand-in's own search, p50 |\n|---|---|---|---|");
    console.log(row('Pinecone client, no filter', plain));
    console.log(row('Pinecone client, filter by class', byClass));
    console.log(row('Pinecone client, filter by class and repository', byBoth));
  } finally {
    await store.close();
    await standin.close();
  }
}
