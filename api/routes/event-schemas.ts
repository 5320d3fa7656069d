// The events API's inputs and outputs (zod at the edge; the OpenAPI document is generated from these).
import { z } from 'zod';
import { EVENT_TYPES } from '../../activities/events/types.js';

const cursor = z
  .string()
  .max(20)
  .describe('Where to start: events after this cursor (exclusive). The `next` of a previous page, or an SSE message id; 0 or absent: from the oldest.');
const types = z
  .string()
  .max(2000)
  .describe(`Only these event types, comma-separated: ${EVENT_TYPES.join(', ')}.`);

export const eventsQuerySchema = z.object({
  after: cursor.optional(),
  type: types.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Events per page (1-1000, default 100).'),
});

export const eventsStreamQuerySchema = z.object({
  after: cursor.optional().describe('Where to start when no Last-Event-ID header is sent (it wins when both are).'),
  type: types.optional(),
});

export const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string(),
  source: z.string(),
  type: z.string(),
  subject: z.string(),
  time: z.string(),
  datacontenttype: z.literal('application/json'),
  tenant: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export const eventsPageSchema = z.object({
  events: z.array(
    z.object({
      cursor: z.string().describe('This event\'s position: pass it as `after` to read what follows it.'),
      event: cloudEventSchema.describe('CloudEvents 1.0 (JSON); data per type: activities/events/schemas/<type>.json.'),
    }),
  ),
  next: z.string().describe('The cursor to ask with next (the last event\'s, or `after` when the page is empty).'),
});
