// Counts the blobs each activity reads from the store: a wrapper around a real Store that, on every
// getBlob / getBlobs call, adds the call, the blobs returned and their bytes to the running activity's
// tally (its type from Context.current(), so stages need no change to be measured).
import { Context } from '@temporalio/activity';
import type { Store } from '../../activities/store/store.js';

export interface BlobReads {
  /** getBlob / getBlobs calls (one batched call counts once). */
  calls: number;
  /** Blobs returned. */
  blobs: number;
  bytes: number;
}

/** Reads made outside an activity (the bench's own, say) are counted under this key. */
export const OUTSIDE_ACTIVITIES = '(outside activities)';

const READS = new Set(['getBlob', 'getBlobs']);

function activityType(): string {
  try {
    return Context.current().info.activityType;
  } catch {
    return OUTSIDE_ACTIVITIES;
  }
}

/** Buffers in whatever a read returned: one Buffer, a Map or record of them, an array of them or of {content}. */
function buffersIn(result: unknown): Buffer[] {
  if (result === undefined || result === null) return [];
  if (Buffer.isBuffer(result)) return [result];
  if (result instanceof Map) return [...result.values()].flatMap(buffersIn);
  if (Array.isArray(result)) return result.flatMap(buffersIn);
  if (typeof result === 'object') {
    const content = (result as { content?: unknown }).content;
    if (Buffer.isBuffer(content)) return [content];
    return Object.values(result).flatMap(buffersIn);
  }
  return [];
}

export function countBlobReads(store: Store): { store: Store; reads: Map<string, BlobReads> } {
  const reads = new Map<string, BlobReads>();
  const counted = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof prop !== 'string' || !READS.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        const key = activityType();
        const result = await method.apply(target, args);
        const tally = reads.get(key) ?? { calls: 0, blobs: 0, bytes: 0 };
        const buffers = buffersIn(result);
        tally.calls++;
        tally.blobs += buffers.length;
        tally.bytes += buffers.reduce((sum, b) => sum + b.length, 0);
        reads.set(key, tally);
        return result;
      };
    },
  });
  return { store: counted, reads };
}
