// Worker logs are an exit like any other: the SDK logs activity failures (their messages may quote a
// file or a command line) and our own lines; messages and metadata go through the secrets masking.
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { maskDeep, maskText } from '../activities/secrets/mask.js';

/** Errors keep their class (loggers read .name, .stack, .cause) with masked texts. */
function maskError(e: Error): Error {
  const copy = Object.create(Object.getPrototypeOf(e)) as Error;
  for (const k of Object.getOwnPropertyNames(e)) {
    const v = (e as unknown as Record<string, unknown>)[k];
    (copy as unknown as Record<string, unknown>)[k] = typeof v === 'string' ? maskText(v) : v instanceof Error ? maskError(v) : v;
  }
  return copy;
}

export function maskMeta(meta: LogMetadata | undefined): LogMetadata | undefined {
  if (!meta) return meta;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = v instanceof Error ? maskError(v) : maskDeep(v);
  return out as LogMetadata;
}

export function maskingLogger(inner: Logger): Logger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => inner.log(level, maskText(message), maskMeta(meta));
  return {
    log: emit,
    trace: (m, meta) => emit('TRACE', m, meta),
    debug: (m, meta) => emit('DEBUG', m, meta),
    info: (m, meta) => emit('INFO', m, meta),
    warn: (m, meta) => emit('WARN', m, meta),
    error: (m, meta) => emit('ERROR', m, meta),
  };
}
