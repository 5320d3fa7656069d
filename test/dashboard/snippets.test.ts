// Trace steps without code excerpts get them from the stored snapshot.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TraceStep } from '../../activities/model.js';
import { openSqliteStore } from '../../activities/store/sqlite-store.js';
import { fillTraceSnippets } from '../../api/dashboard/snippets.js';

test('missing snippets are read from the snapshot; present ones are kept; unknown files stay without', async () => {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), 'vigil-snippets-')), 'vigil.db'));
  try {
    const text = "const a = 1;\n    exec('ls ' + req.query.dir);\n";
    const hash = createHash('sha256').update(text).digest('hex');
    await store.putBlobs('t', [{ hash, content: Buffer.from(text) }]);
    await store.putSnapshot({ id: 'snap1', tenant: 't', repoKey: '/r', createdAt: new Date(0).toISOString(), files: [{ path: 'a.js', hash, size: text.length, mode: '100644' }], skipped: {}, bytes: text.length });
    const trace: TraceStep[] = [
      { kind: 'source', file: 'a.js', line: 2, label: 'req.query.dir' },
      { kind: 'step', file: 'gone.js', line: 1, label: 'elsewhere' },
      { kind: 'sink', file: 'a.js', line: 2, label: 'exec', snippet: 'kept as is' },
    ];
    const [filled] = await fillTraceSnippets(store, 't', 'snap1', [{ trace }]);
    assert.deepEqual(filled.trace.map((s) => s.snippet), ["exec('ls ' + req.query.dir);", undefined, 'kept as is']);
    const untouched = [{ trace }];
    assert.equal(await fillTraceSnippets(store, 't', undefined, untouched), untouched, 'no snapshot id: unchanged');
    assert.equal((await fillTraceSnippets(store, 'other-tenant', 'snap1', untouched))[0].trace[0].snippet, undefined, 'tenant-scoped');
  } finally {
    await store.close();
  }
});
