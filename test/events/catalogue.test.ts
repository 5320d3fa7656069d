// The published JSON Schemas are what the catalogue generates, and they accept the events Vigil builds and
// refuse what the catalogue refuses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { eventSchemaFile, eventSchemaText } from '../../activities/events/json-schemas.js';
import { eventId, scanEvent } from '../../activities/events/make-event.js';
import { EVENT_TYPES } from '../../activities/events/types.js';
import { eventValidator } from '../helpers/event-schemas.js';

test('every event type has a committed JSON Schema, up to date with the catalogue', () => {
  for (const type of EVENT_TYPES) {
    assert.equal(
      readFileSync(eventSchemaFile(type), 'utf8'),
      eventSchemaText(type),
      `${type}: regenerate with \`node --import tsx activities/events/json-schemas.ts\``,
    );
  }
});

test('schemas accept built events and refuse extra or missing fields', () => {
  const validate = eventValidator();
  const e = scanEvent('acme', 'scn_1', 'dev.vigil.finding.created.v1', {
    scanId: 'scn_1',
    findingId: 'f1',
    fingerprint: 'fp',
    ruleId: 'sql-injection',
    cwe: 'CWE-89',
    severity: 'high',
    confidence: 'medium',
    file: 'routes/users.js',
    line: 12,
    status: 'pending',
  }, { key: 'f1' });
  assert.deepEqual(validate(e), []);
  assert.notDeepEqual(validate({ ...e, data: { ...e.data, snippet: 'db.query(req.query.id)' } }), [], 'no room for code in data');
  assert.notDeepEqual(validate({ ...e, tenant: undefined } as never), [], 'the tenant extension attribute is required');
  assert.notDeepEqual(validate({ ...e, type: 'dev.vigil.finding.created.v2' }), []);
  assert.throws(() => scanEvent('acme', 'scn_1', 'dev.vigil.stage.started.v1', { scanId: 'scn_1', stage: 'nope' as never }), /stage/);
});

test('event ids depend on what happened, not on when: a retry builds the same id', () => {
  const a = scanEvent('acme', 'scn_1', 'dev.vigil.stage.started.v1', { scanId: 'scn_1', stage: 'snapshot' }, { key: 'snapshot', time: new Date(1) });
  const b = scanEvent('acme', 'scn_1', 'dev.vigil.stage.started.v1', { scanId: 'scn_1', stage: 'snapshot' }, { key: 'snapshot', time: new Date(2) });
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, eventId('other', 'scn_1', 'dev.vigil.stage.started.v1', 'snapshot'), 'tenants never share ids');
  assert.notEqual(a.id, eventId('acme', 'scn_1', 'dev.vigil.stage.started.v1', 'reasoning'));
});
