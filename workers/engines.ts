// The reasoning engines and verifiers a worker offers. The built-in engine is always there and is the
// default; others join when configured.
import type { ReasoningEngine, Verifier } from '../activities/model.js';
import { cacheLimitsFromEnv, createBuiltinEngine, createBuiltinVerifier } from '../activities/engines/builtin/index.js';
import type { ClaudeDeps } from '../activities/engines/claude/client.js';
import { createClaudeClient } from '../activities/engines/claude/client.js';
import { claudeConnectionFromEnv, claudeSettingsFromEnv, type ClaudeConnection, type ClaudeSettings } from '../activities/engines/claude/config.js';

/** One engine instance per worker: it keeps the last analyses of a few repositories for their re-scans. */
export function defaultEngines(env: NodeJS.ProcessEnv = process.env): { engines: Record<string, ReasoningEngine>; verifiers: Record<string, Verifier> } {
  return {
    engines: { builtin: createBuiltinEngine({ cache: cacheLimitsFromEnv(env) }) },
    verifiers: { builtin: createBuiltinVerifier() },
  };
}

/** The Claude engine ('claude'): offered when ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL is set. The key goes
 * only into the SDK client (and the list of strings scrubbed from error messages). */
export function claudeFromEnv(env: NodeJS.ProcessEnv = process.env): ClaudeDeps | undefined {
  const conn = claudeConnectionFromEnv(env);
  return conn ? createClaudeDeps(conn, claudeSettingsFromEnv(env)) : undefined;
}

export function createClaudeDeps(conn: ClaudeConnection, defaults: ClaudeSettings): ClaudeDeps {
  return { client: createClaudeClient(conn), defaults, secrets: conn.apiKey ? [conn.apiKey] : [] };
}
