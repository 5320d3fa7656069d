// The JSON Schema of each event type (the whole CloudEvent, data included), generated from the catalogue's zod
// schemas. `node --import tsx activities/events/json-schemas.ts` rewrites activities/events/schemas/; a test
// fails when a committed file differs from what the catalogue generates.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EVENT_SOURCE, EVENT_SPEC_VERSION } from './cloud-event.js';
import { EVENT_DATA, EVENT_TYPES, type EventType } from './types.js';

export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'schemas');

export function eventSchemaFile(type: EventType): string {
  return join(SCHEMAS_DIR, `${type}.json`);
}

export function eventJsonSchema(type: EventType): Record<string, unknown> {
  const envelope = z
    .object({
      specversion: z.literal(EVENT_SPEC_VERSION),
      id: z.string().regex(/^evt_[0-9a-f]{32}$/),
      source: z.literal(EVENT_SOURCE),
      type: z.literal(type),
      subject: z.string().min(1),
      time: z.iso.datetime({ offset: true }),
      datacontenttype: z.literal('application/json'),
      tenant: z.string().min(1),
      data: EVENT_DATA[type],
    })
    .strict();
  const schema = z.toJSONSchema(envelope, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { $id: `https://vigil.dev/schemas/events/${type}.json`, title: type, ...schema };
}

/** The file's text for `type`, as committed. */
export function eventSchemaText(type: EventType): string {
  return `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const type of EVENT_TYPES) writeFileSync(eventSchemaFile(type), eventSchemaText(type));
  console.log(`wrote ${EVENT_TYPES.length} schemas to ${SCHEMAS_DIR}`);
}
