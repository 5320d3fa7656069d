// Validates events against the JSON Schemas published in activities/events/schemas/ (Ajv, draft 2020-12).
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import type { CloudEvent } from '../../activities/events/cloud-event.js';
import { eventSchemaFile } from '../../activities/events/json-schemas.js';
import { EVENT_TYPES, isEventType } from '../../activities/events/types.js';

export function eventValidator(): (event: CloudEvent) => string[] {
  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true });
  (addFormats as unknown as typeof addFormats.default)(ajv);
  const validators = new Map(EVENT_TYPES.map((t) => [t, ajv.compile(JSON.parse(readFileSync(eventSchemaFile(t), 'utf8')))]));
  return (event) => {
    if (!isEventType(event.type)) return [`unknown type ${event.type}`];
    const v = validators.get(event.type)!;
    return v(event) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
