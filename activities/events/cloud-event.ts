// The shape every scan event has: CloudEvents 1.0 in its JSON format (structured mode), with the tenant as an
// extension attribute. Events carry ids, counts and metadata only — never code, never secrets.

export const EVENT_SPEC_VERSION = '1.0';
/** Where events come from (CloudEvents `source`); with `id` it identifies an event uniquely. */
export const EVENT_SOURCE = 'urn:vigil:scan-events';

export interface CloudEvent<T = unknown> {
  specversion: typeof EVENT_SPEC_VERSION;
  /** Unique per event; derived from what happened (scan, stage, attempt-independent), so a retried activity writes the same id. */
  id: string;
  source: string;
  /** Versioned, e.g. `dev.vigil.finding.created.v1`. */
  type: string;
  /** The scan id. */
  subject: string;
  /** RFC 3339. */
  time: string;
  datacontenttype: 'application/json';
  /** Extension attribute: the tenant the event belongs to. */
  tenant: string;
  data: T;
}

/** An event as the outbox holds it: `seq` is the store-wide, strictly increasing position (the read cursor). */
export interface OutboxRecord {
  seq: number;
  event: CloudEvent;
}

/** What the publishers (Kafka, webhooks) and the events API read from. Implemented by every Store. */
export interface EventOutbox {
  /** Appends events; an id already present is ignored (idempotent, so a retried activity adds nothing). */
  appendEvents(events: CloudEvent[]): Promise<void>;
  /** Events after `after` (exclusive) in seq order; all tenants when `tenant` is omitted (publishers only). */
  readEvents(opts: { tenant?: string; after?: number; limit: number; types?: string[] }): Promise<OutboxRecord[]>;
  /** How far a named sink (e.g. `kafka`, `webhook:<id>`) has delivered; 0 when it never has. */
  getSinkCursor(sink: string): Promise<number>;
  setSinkCursor(sink: string, seq: number): Promise<void>;
}
