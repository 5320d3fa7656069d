// The Host header names this server to the client that sent it: redirects built from it are not open
// redirects, while other request data in the target still is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appWith, findings, summary } from './helpers.js';

test('a redirect to the Host the client sent is not an open redirect', async () => {
  for (const target of ["req.get('host') + '/welcome'", "'https://' + req.headers.host + '/login'", "`${req.protocol}://${req.header('Host')}/done`"]) {
    assert.deepEqual(summary(await findings(appWith(`res.redirect(${target});`), 'open-redirect')), [], target);
  }
});

test('other request data in the target is still reported, and other headers are input', async () => {
  assert.deepEqual(summary(await findings(appWith("res.redirect(req.get('host') + req.query.next);"), 'open-redirect')), ['open-redirect@routes.js:5']);
  assert.deepEqual(summary(await findings(appWith("res.redirect(req.get('referer'));"), 'open-redirect')), ['open-redirect@routes.js:5']);
  assert.deepEqual(summary(await findings(appWith('res.redirect(req.headers.referer);'), 'open-redirect')), ['open-redirect@routes.js:5']);
});

test('the Host header stays input for outgoing requests (SSRF)', async () => {
  const cs = await findings(appWith("const r = await fetch('http://' + req.headers.host + '/internal'); res.json(await r.json());"), 'ssrf');
  assert.deepEqual(summary(cs), ['ssrf@routes.js:5']);
});
