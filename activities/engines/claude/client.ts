// The Anthropic SDK client and one model call. The SDK retries nothing (maxRetries: 0): Temporal owns
// retries, so every failure is mapped here to a retryable or non-retryable ApplicationFailure.
import Anthropic, {
  AnthropicError,
  APIConnectionError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages/messages';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_MODEL, type ClaudeConnection, type ClaudeSettings, type TokenUsage } from './config.js';

export type ModelClient = Anthropic;

export function createClaudeClient(conn: ClaudeConnection): ModelClient {
  return new Anthropic({
    // A base URL alone (a gateway that authenticates by itself) needs no key; the SDK is told so by
    // omitting the authorization header explicitly.
    apiKey: conn.apiKey ?? null,
    authToken: null,
    baseURL: conn.baseURL,
    maxRetries: 0,
    timeout: conn.timeoutMs ?? 120_000,
    defaultHeaders: conn.apiKey ? undefined : { authorization: null },
  });
}

/**
 * The model's streamed answer could not be read: a tool input that is not JSON. The model's fault, not the API's:
 * the tool loop tells the model and goes on (the tool-input check), rather than retrying the activity.
 */
export class UnreadableOutputError extends Error {}

export interface CallResult {
  message: Message;
  usage: TokenUsage;
}

/** One Messages API call, streamed (SSE) or not, with failures typed for Temporal. */
export async function callModel(
  client: ModelClient,
  params: MessageCreateParamsNonStreaming,
  opts: { signal?: AbortSignal; stream?: boolean; secrets?: string[] },
): Promise<CallResult> {
  try {
    const message = opts.stream
      ? await client.messages.stream(params, { signal: opts.signal }).finalMessage()
      : await client.messages.create(params, { signal: opts.signal });
    return { message, usage: usageOf(message) };
  } catch (err) {
    if (err instanceof AnthropicError && !(err instanceof APIError) && /not valid JSON|JSON/i.test(err.message)) {
      throw new UnreadableOutputError(scrub(err.message, opts.secrets ?? []).slice(0, 200));
    }
    throw modelFailure(err, opts.secrets ?? [], params.model);
  }
}

/** Where the model is chosen: what a user changes when the API says the model is gone. */
const MODEL_SETTING = 'VIGIL_CLAUDE_MODEL on the worker (or the scan\'s claude.model)';

/** A 404 about the model, or a refusal that says the model is deprecated, retired or past end of life. */
function modelUnavailable(status: number, kind: string, detail: string): boolean {
  if (status === 404) return /model/i.test(detail);
  return status === 400 && /model/i.test(detail) && /deprecat|retired|end[- ]of[- ]life|no longer (available|supported)|not (found|supported|available)/i.test(detail);
}

export function usageOf(message: Message): TokenUsage {
  const u = message.usage;
  return {
    calls: 1,
    inputTokens: u?.input_tokens ?? 0,
    outputTokens: u?.output_tokens ?? 0,
    cacheCreationInputTokens: u?.cache_creation_input_tokens ?? 0,
    cacheReadInputTokens: u?.cache_read_input_tokens ?? 0,
  };
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}

/** Maps an SDK error to a Temporal failure: what is worth retrying, and when. */
export function modelFailure(err: unknown, secrets: string[] = [], model?: string): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof APIUserAbortError) {
    return ApplicationFailure.create({ type: 'ModelCallCancelled', message: 'The model call was cancelled with its activity.' });
  }
  if (err instanceof APIConnectionError) {
    // Timeouts and connection resets: transient.
    return ApplicationFailure.create({
      type: 'ModelConnectionError',
      message: scrub(`Could not reach the Anthropic API (${err.message}); retrying.`, secrets),
    });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const body = err.error as { error?: { type?: string; message?: string } } | undefined;
    const kind = body?.error?.type ?? 'error';
    const detail = scrub(body?.error?.message ?? err.message, secrets);
    const status = err.status;
    if (status === 429) {
      const after = retryAfterMs(err.headers);
      return ApplicationFailure.create({
        type: 'ModelRateLimited',
        message: `The Anthropic API rate-limited the request (429 ${kind}): ${detail}`,
        nextRetryDelay: after,
      });
    }
    if (status === 529 || status >= 500 || status === 408 || status === 409 || kind === 'overloaded_error') {
      return ApplicationFailure.create({
        type: 'ModelUnavailable',
        message: `The Anthropic API is unavailable (${status} ${kind}): ${detail}`,
        nextRetryDelay: retryAfterMs(err.headers),
      });
    }
    if (modelUnavailable(status, kind, detail)) {
      return ApplicationFailure.create({
        type: 'ModelNotAvailableError',
        nonRetryable: true,
        message: `The Anthropic API does not serve the model${model ? ` "${model}"` : ''} (${status} ${kind}: ${detail}). Set ${MODEL_SETTING} to a current model, e.g. ${DEFAULT_MODEL}.`,
      });
    }
    const hint =
      status === 401
        ? ' Check ANTHROPIC_API_KEY on the worker.'
        : status === 403
          ? ' The key is not allowed to use this model or endpoint.'
          : status === 404
            ? ' Check VIGIL_CLAUDE_MODEL and ANTHROPIC_BASE_URL.'
            : ' The request was malformed; this is a bug in Vigil or an unsupported model setting.';
    return ApplicationFailure.create({
      type: 'ModelRequestError',
      nonRetryable: true,
      message: `The Anthropic API refused the request (${status} ${kind}): ${detail}.${hint}`,
    });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** retry-after / retry-after-ms, in milliseconds; undefined lets the retry policy decide. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const s = headers?.get('retry-after');
  if (!s) return undefined;
  if (Number.isFinite(Number(s))) return Math.max(0, Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** What the Claude activities need from the worker: a model client, the defaults, the secrets to scrub. */
export interface ClaudeDeps {
  client: ModelClient;
  defaults: ClaudeSettings;
  /** Strings scrubbed from any error message (the API key). */
  secrets: string[];
}
