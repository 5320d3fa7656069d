// Builds a scan event. The id is derived from what happened (tenant, scan, type and a key such as the stage or
// the finding), never from the time or the attempt, so a retried activity writes the same id and the outbox
// keeps one copy.
import { createHash } from 'node:crypto';
import { EVENT_SOURCE, EVENT_SPEC_VERSION, type CloudEvent } from './cloud-event.js';
import { EVENT_DATA, type EventDataOf, type EventType } from './types.js';

export function eventId(tenant: string, scanId: string, type: EventType, key = ''): string {
  return `evt_${createHash('sha256').update(`${tenant}\0${scanId}\0${type}\0${key}`).digest('hex').slice(0, 32)}`;
}

/** A CloudEvent of `type` about scan `scanId`; `data` is checked against the catalogue (a bad event is a bug). */
export function scanEvent<T extends EventType>(
  tenant: string,
  scanId: string,
  type: T,
  data: EventDataOf<T>,
  opts: { key?: string; time?: Date } = {},
): CloudEvent<EventDataOf<T>> {
  return {
    specversion: EVENT_SPEC_VERSION,
    id: eventId(tenant, scanId, type, opts.key),
    source: EVENT_SOURCE,
    type,
    subject: scanId,
    time: (opts.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    tenant,
    data: EVENT_DATA[type].parse(data) as EventDataOf<T>,
  };
}

/** Counts as a flat record of numbers: nested objects become `parent.child`, non-numbers are left out. */
export function flatCounts(value: Record<string, unknown>, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[`${prefix}${k}`] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatCounts(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

export function repoHash(repoKey: string): string {
  return createHash('sha256').update(repoKey).digest('hex').slice(0, 16);
}
