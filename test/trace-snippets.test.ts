// Trace steps without code excerpts get them at scoring, from the scanned files, masked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceFiles, TraceStep } from '../activities/model.js';
import { fillTraceSnippets } from '../activities/trace-snippets.js';

const filesOf = (texts: Record<string, string>): SourceFiles => ({
  paths: () => Object.keys(texts).sort(),
  read: (path) => texts[path],
});

test('missing snippets are read from the files; present ones are kept; unknown files stay without', () => {
  const files = filesOf({ 'a.js': "const a = 1;\n    exec('ls ' + req.query.dir);\n" });
  const trace: TraceStep[] = [
    { kind: 'source', file: 'a.js', line: 2, label: 'req.query.dir' },
    { kind: 'step', file: 'gone.js', line: 1, label: 'elsewhere' },
    { kind: 'sink', file: 'a.js', line: 2, label: 'exec', snippet: 'kept as is' },
  ];
  const [filled] = fillTraceSnippets([{ trace }], files);
  assert.deepEqual(filled.trace.map((s) => s.snippet), ["exec('ls ' + req.query.dir);", undefined, 'kept as is']);
  const complete = [{ trace: [trace[2]] }];
  assert.equal(fillTraceSnippets(complete, files), complete, 'nothing missing: unchanged');
});

test('snippets read from the files are masked and cut to 240 characters', () => {
  const secret = 'sk_live_' + 'a1B2c3D4e5F6g7H8i9J0k1L2';
  const files = filesOf({ 'k.js': `const STRIPE_KEY = "${secret}";\n${'x'.repeat(400)}\n` });
  const [filled] = fillTraceSnippets([{ trace: [{ kind: 'sink', file: 'k.js', line: 1, label: 'key' }, { kind: 'step', file: 'k.js', line: 2, label: 'long' }] as TraceStep[] }], files);
  assert.ok(!filled.trace[0].snippet!.includes(secret), filled.trace[0].snippet);
  assert.equal(filled.trace[1].snippet!.length, 240);
});
