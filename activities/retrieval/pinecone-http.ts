// How Vigil talks to Pinecone through its client, for the vector store and the hosted embedder alike: its own
// bounded retry policy (429, 5xx and connection failures, with backoff and Retry-After) as the client's fetch,
// and the client's errors turned into sentences that say what to do. Never the API key in either.

export interface PineconeRetries {
  /** Attempts per request, the first included (default 4). */
  attempts?: number;
  /** First backoff; doubles each retry, with jitter (default 250 ms). */
  baseDelayMs?: number;
  /** Cap of one backoff, and of a Retry-After the server asks for (default 5 s). */
  maxDelayMs?: number;
}

/** A request could not be served after the retries: Pinecone is unavailable (retrieval degrades). */
export class PineconeDownError extends Error {
  // Not Pinecone's own name: the client's fetch wrapper would take that one for a retryable 503.
  override name = 'PineconeDownError';
}

function backoff(attempt: number, r: Required<PineconeRetries>, retryAfter: string | null): number {
  const asked = retryAfter !== null && /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
  const exp = r.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
  return Math.min(r.maxDelayMs, asked ?? exp);
}

/**
 * fetch with Vigil's retry policy: 429, 5xx and connection failures are retried with backoff; after the last
 * attempt a PineconeDownError says what happened. The client's own retries are off (maxRetries 0) so
 * the bound is one number; its error mapping still handles every 4xx.
 */
export function retryingFetch(r: Required<PineconeRetries>, host: string): typeof fetch {
  return async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      let failure: string;
      let retryAfter: string | null = null;
      try {
        const res = await fetch(input, init);
        if (res.status !== 429 && res.status < 500) return res;
        retryAfter = res.headers.get('retry-after');
        const text = await res.text().catch(() => '');
        let message = text.slice(0, 300);
        try {
          // The data plane says {code, message}; the inference API {error: {code, message}, status}.
          const j = JSON.parse(text) as { message?: string; error?: { message?: string } };
          message = j.message ?? j.error?.message ?? message;
        } catch {
          // a proxy's HTML page: keep the text as it is
        }
        failure = `HTTP ${res.status}${message ? `: ${message}` : ''}`;
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        failure = `could not connect (${cause?.code ?? cause?.message ?? (err as Error).message})`;
      }
      if (attempt >= r.attempts) {
        throw new PineconeDownError(
          `Pinecone at ${host} did not answer after ${attempt} attempts (${failure}); retrieval is unavailable until it answers again (see https://status.pinecone.io).`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt, r, retryAfter)));
    }
  };
}

/** What to check, by the caller: the setting naming the host (404), and what a refused request usually means (400/403). */
export interface PineconeHints {
  hostSetting: string;
  badRequest: string;
}

/** The client's error, as a sentence that says what to do; the API key is never part of it. */
export function explainPineconeError(err: unknown, what: string, hints: PineconeHints): Error {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof PineconeDownError) return e;
  }
  const name = (err as Error)?.name;
  let detail = (err as Error)?.message ?? String(err);
  try {
    // The inference API nests its message ({error: {message}}), which the client passes on as raw JSON.
    detail = (JSON.parse(detail) as { error?: { message?: string } }).error?.message ?? detail;
  } catch {
    // a sentence already
  }
  switch (name) {
    case 'PineconeAuthorizationError':
      return new Error(`Pinecone refused the API key while trying to ${what} (HTTP 401): check PINECONE_API_KEY.`);
    case 'PineconeNotFoundError':
      return new Error(`Pinecone has no such index or resource while trying to ${what} (HTTP 404): check ${hints.hostSetting}. ${detail}`);
    case 'PineconeBadRequestError':
      return new Error(`Pinecone refused the request to ${what} (HTTP 400/403): ${detail.replace(/\.?\s*$/, '.')} ${hints.badRequest}`);
    case 'PineconeConnectionError':
      return new PineconeDownError(`Pinecone could not be reached while trying to ${what}: ${detail}`);
    default:
      return new Error(`Pinecone failed to ${what}: ${detail}`);
  }
}
