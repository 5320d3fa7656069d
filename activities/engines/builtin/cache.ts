// The analysis state an engine instance keeps between analyses of the same repository: a small LRU of
// generations, one per cache key (tenant and repository). A generation is never changed once stored; an
// analysis takes its key's generation out of the cache while it runs (so no object is shared by two analyses in
// flight) and stores the generation it built when it succeeds. Two analyses of different repositories therefore
// never see or evict each other's state in flight, and one tenant's state is never read for another's repository.

export interface CacheLimits {
  /** Generations kept at most (one per repository). */
  programs: number;
  /** Total weight (characters of source text analysed) kept at most; the most recent generation is always kept. */
  bytes: number;
}

/** About 230k lines of source, roughly 1.3 GB of summaries and trees in memory (README, "Measured"). */
export const DEFAULT_CACHE_LIMITS: CacheLimits = { programs: 4, bytes: 8 * 1024 * 1024 };

export interface CacheStats {
  /** Files whose results were reused from the previous generation, and all files of the analysis. */
  reused: number;
  files: number;
}

export interface Generation<T> {
  value: T;
  /** What it costs to keep (characters of source text: memory grows with it). */
  weight: number;
  stats: CacheStats;
}

export interface AnalysisCache<T> {
  /** Take the key's generation out of the cache (undefined when there is none, or another analysis holds it). */
  take(key: string): Generation<T> | undefined;
  /** Store the generation an analysis built; evicts the least recently stored ones beyond the limits. */
  put(key: string, gen: Generation<T>): void;
  /** Give back a generation taken by an analysis that failed, unless a newer one was stored meanwhile. */
  giveBack(key: string, gen: Generation<T>): void;
  stats(key: string): CacheStats | undefined;
  keys(): string[];
  clear(): void;
}

export function createAnalysisCache<T>(limits: CacheLimits = DEFAULT_CACHE_LIMITS): AnalysisCache<T> {
  // A Map iterates in insertion order: re-inserting on put makes the first entry the least recent.
  const entries = new Map<string, Generation<T>>();
  const evict = () => {
    let total = 0;
    for (const g of entries.values()) total += g.weight;
    for (const [k, g] of entries) {
      if (entries.size <= 1 || (entries.size <= limits.programs && total <= limits.bytes)) break;
      entries.delete(k);
      total -= g.weight;
    }
  };
  return {
    take(key) {
      const g = entries.get(key);
      entries.delete(key);
      return g;
    },
    put(key, gen) {
      entries.delete(key);
      if (limits.programs < 1) return;
      entries.set(key, gen);
      evict();
    },
    giveBack(key, gen) {
      if (entries.has(key) || limits.programs < 1) return;
      entries.set(key, gen);
      evict();
    },
    stats: (key) => entries.get(key)?.stats,
    keys: () => [...entries.keys()],
    clear: () => entries.clear(),
  };
}

/** Limits from VIGIL_ENGINE_CACHE_PROGRAMS and VIGIL_ENGINE_CACHE_MB (millions of characters of source); 0 programs keeps none. */
export function cacheLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): CacheLimits {
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative number; unset it for the default (${fallback}).`);
    return n;
  };
  return {
    programs: Math.floor(num('VIGIL_ENGINE_CACHE_PROGRAMS', DEFAULT_CACHE_LIMITS.programs)),
    bytes: num('VIGIL_ENGINE_CACHE_MB', DEFAULT_CACHE_LIMITS.bytes / (1024 * 1024)) * 1024 * 1024,
  };
}
