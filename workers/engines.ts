// The reasoning engines and verifiers a worker offers. The built-in engine is always there and is the
// default; others join when configured.
import type { ReasoningEngine, Verifier } from '../activities/model.js';
import { createBuiltinEngine, createBuiltinVerifier } from '../activities/engines/builtin/index.js';

export function defaultEngines(): { engines: Record<string, ReasoningEngine>; verifiers: Record<string, Verifier> } {
  return {
    engines: { builtin: createBuiltinEngine() },
    verifiers: { builtin: createBuiltinVerifier() },
  };
}
