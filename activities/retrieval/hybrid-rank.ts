// Hybrid ranking of precedents: the embedding's nearest decisions reranked with a lexical score over their
// texts, fused by reciprocal rank. The embedding finds decisions that mean the same in other words; BM25
// rewards the exact identifiers, middleware and directory names a team's comments repeat. Reciprocal rank
// fusion needs no score calibration between the two, which is why mature retrieval systems default to it.
// Pure functions.

/** Okapi BM25's usual constants, and the usual reciprocal-rank-fusion constant (Cormack et al., 2009). */
const K1 = 1.2;
const B = 0.75;
export const RRF_K = 60;

/** Lower-cased word tokens; identifiers split at dots and punctuation (`req.query.id` → req, query, id). */
export function lexicalTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** BM25 score of each document for the query, with document frequencies taken from these documents. */
export function bm25Scores(query: string[], docs: string[][]): number[] {
  if (docs.length === 0) return [];
  const avg = docs.reduce((n, d) => n + d.length, 0) / docs.length || 1;
  const df = new Map<string, number>();
  for (const d of docs) for (const w of new Set(d)) df.set(w, (df.get(w) ?? 0) + 1);
  const words = [...new Set(query)];
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const w of d) tf.set(w, (tf.get(w) ?? 0) + 1);
    let s = 0;
    for (const w of words) {
      const f = tf.get(w);
      if (!f) continue;
      const n = df.get(w)!;
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
      s += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.length) / avg));
    }
    return s;
  });
}

/** 1-based ranks of scores, best first (ties keep input order); documents scoring 0 get no rank. */
function ranksOf(scores: number[]): (number | undefined)[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const ranks: (number | undefined)[] = new Array(scores.length).fill(undefined);
  order.forEach((i, r) => {
    if (scores[i]! > 0) ranks[i] = r + 1;
  });
  return ranks;
}

/**
 * The order of `candidates` (given best first by the embedding) after fusing with BM25 over their texts.
 * Returns indices into `candidates`.
 */
export function fuseWithLexical(queryText: string, candidateTexts: string[]): number[] {
  const lexical = ranksOf(bm25Scores(lexicalTokens(queryText), candidateTexts.map(lexicalTokens)));
  const fused = candidateTexts.map((_, i) => 1 / (RRF_K + i + 1) + (lexical[i] ? 1 / (RRF_K + lexical[i]!) : 0));
  return fused.map((_, i) => i).sort((a, b) => fused[b]! - fused[a]! || a - b);
}
