// The built-in, deterministic, offline reasoning engine and its verifier.
export { createBuiltinEngine, ENGINE_NAME, ENGINE_VERSION, type BuiltinEngine, type BuiltinEngineOptions } from './engine.js';
export { cacheLimitsFromEnv, DEFAULT_CACHE_LIMITS, type CacheLimits, type CacheStats } from './cache.js';
export { createBuiltinVerifier } from './verifier.js';
