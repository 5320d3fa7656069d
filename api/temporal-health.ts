// Failing fast when Temporal is down. The client's defaults retry an unreachable server for ~20 s and a
// black-holed one can hang until the connect timeout, so the API's connection gives up after a few
// hundred milliseconds and every call carries a deadline; a health state (fed by failures, cleared by a
// cheap probe) then answers later requests at once until Temporal is back.
import {
  defaultGrpcRetryOptions,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  isRetryableError,
  makeGrpcRetryInterceptor,
  type ConnectionLike,
  type ConnectionOptions,
} from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

const GRPC_UNAVAILABLE = 14;

export interface ApiConnectionTuning {
  /** Deadline of any call that sets none itself (queries and updates wait for a worker and set their own). */
  rpcTimeoutMs?: number;
  /** Attempts on UNAVAILABLE before giving up (each ~100-300 ms apart). */
  unavailableAttempts?: number;
  /** Cap on grpc's reconnect backoff, so a restarted Temporal is found again within seconds. */
  maxReconnectBackoffMs?: number;
}

/**
 * Connection options for the API's Temporal client: a default per-call deadline (outermost, so retries
 * share it) and a retry policy that stops retrying an unreachable server after a few quick attempts.
 */
export function apiConnectionOptions(tuning: ApiConnectionTuning = {}): Pick<ConnectionOptions, 'interceptors' | 'channelArgs'> {
  const rpcTimeoutMs = tuning.rpcTimeoutMs ?? 1_500;
  const unavailableAttempts = tuning.unavailableAttempts ?? 3;
  const defaults = defaultGrpcRetryOptions();
  const backoff = tuning.maxReconnectBackoffMs ?? 1_000;
  return {
    interceptors: [
      // Returning the next call unchanged is what grpc-js's own pass-through does; only the types differ.
      (options, nextCall) =>
        nextCall(options.deadline === undefined ? { ...options, deadline: Date.now() + rpcTimeoutMs } : options) as ReturnType<Interceptor>,
      makeGrpcRetryInterceptor({
        delayFunction: defaults.delayFunction,
        retryableDecider: (attempt, status) =>
          status.code === GRPC_UNAVAILABLE ? attempt < unavailableAttempts : attempt < 10 && isRetryableError(status),
      }),
    ],
    channelArgs: {
      'grpc.initial_reconnect_backoff_ms': Math.min(backoff, 500),
      'grpc.max_reconnect_backoff_ms': backoff,
    },
  };
}

/** Temporal could not be reached, or did not answer within our deadline (outside the calls that handle it). */
export function isTemporalUnavailable(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return [err, cause].some(
    (e) => (isGrpcServiceError(e) && e.code === GRPC_UNAVAILABLE) || isGrpcDeadlineError(e) || isGrpcCancelledError(e),
  );
}

export interface DependencyState {
  ok: boolean;
  /** What is wrong and what to check; absent when ok. Never an address or credential. */
  message?: string;
}

export interface TemporalHealth {
  /** The last known state: true unless a call or probe failed and no probe has succeeded since. */
  knownUp(): boolean;
  /** Called when a request's Temporal call failed for unavailability. */
  markDown(): void;
  /**
   * The current state: the last probe's if it is younger than maxAgeMs, else a fresh probe (bounded by
   * probeTimeoutMs; concurrent callers share one probe).
   */
  check(maxAgeMs?: number): Promise<DependencyState>;
}

export interface TemporalHealthOptions {
  probeTimeoutMs?: number;
  now?: () => number;
}

const DOWN_MESSAGE = 'The Temporal server cannot be reached; check that it is running and reachable from the API.';

export function createTemporalHealth(connection: ConnectionLike, opts: TemporalHealthOptions = {}): TemporalHealth {
  const probeTimeoutMs = opts.probeTimeoutMs ?? 1_000;
  const now = opts.now ?? Date.now;
  let up = true;
  let checkedAt = -Infinity;
  let inFlight: Promise<DependencyState> | undefined;

  const probe = async (): Promise<DependencyState> => {
    try {
      // GetSystemInfo: the cheapest call every Temporal frontend answers (the SDK's own connect check).
      await connection.withDeadline(now() + probeTimeoutMs, () => connection.workflowService.getSystemInfo({}));
      up = true;
    } catch {
      up = false;
    }
    checkedAt = now();
    return up ? { ok: true } : { ok: false, message: DOWN_MESSAGE };
  };

  return {
    knownUp: () => up,
    markDown() {
      up = false;
      checkedAt = now();
    },
    check(maxAgeMs = 1_000) {
      if (now() - checkedAt < maxAgeMs) return Promise.resolve(up ? { ok: true } : { ok: false, message: DOWN_MESSAGE });
      inFlight ??= probe().finally(() => (inFlight = undefined));
      return inFlight;
    },
  };
}
