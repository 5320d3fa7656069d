// Events about a tenant rather than one scan: subject is the tenant. Each deletion is its own happening (a
// tenant can be deleted, used again and deleted again), so the id derives from the tenant and the time.
import { createHash } from 'node:crypto';
import { EVENT_SOURCE, EVENT_SPEC_VERSION, type CloudEvent } from './cloud-event.js';
import { EVENT_DATA, type EventDataOf } from './types.js';

const TYPE = 'dev.vigil.tenant.deleted.v1';

export function tenantDeletedEvent(
  tenant: string,
  data: EventDataOf<typeof TYPE>,
  time: Date = new Date(),
): CloudEvent<EventDataOf<typeof TYPE>> {
  const at = time.toISOString();
  return {
    specversion: EVENT_SPEC_VERSION,
    id: `evt_${createHash('sha256').update(`${tenant}\0${TYPE}\0${at}`).digest('hex').slice(0, 32)}`,
    source: EVENT_SOURCE,
    type: TYPE,
    subject: tenant,
    time: at,
    datacontenttype: 'application/json',
    tenant,
    data: EVENT_DATA[TYPE].parse(data),
  };
}
