// The interpreter's plug-in list (js/plugins.ts, composed by js/hooks.ts): hooks run in list order, the
// first value a call hook returns decides, and the behaviour beyond plain JS semantics really comes from
// the list (a program built without a plug-in loses what that plug-in adds).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { composeHooks, type Plugin } from '../../activities/engines/builtin/js/hooks.js';
import { createResolver, readModule, type ModuleInfo } from '../../activities/engines/builtin/js/modules.js';
import { createParser } from '../../activities/engines/builtin/js/parse.js';
import { PLUGINS } from '../../activities/engines/builtin/js/plugins.js';
import { createProgram } from '../../activities/engines/builtin/js/program.js';
import type { Ctx } from '../../activities/engines/builtin/js/context.js';
import { empty, type Flow, type Value } from '../../activities/engines/builtin/values.js';

async function solved(files: Record<string, string>, plugins: readonly Plugin[]) {
  const paths = Object.keys(files);
  const resolver = createResolver(paths, (p) => files[p], (p) => p in files);
  const parser = createParser();
  const modules = new Map<string, ModuleInfo>();
  for (const p of paths) modules.set(p, readModule(p, parser.parse(p, files[p]), resolver));
  const prog = createProgram(modules, undefined, plugins);
  await prog.solve();
  return prog;
}

const sinkRules = (prog: Awaited<ReturnType<typeof solved>>) => [...prog.summaries.values()].flatMap((s) => [...s.sinks.values()].map((h) => h.rule));

const HANDLER = {
  'app.js': `const express = require('express');
const { exec } = require('child_process');
const app = express();
app.get('/run', (req, res) => {
  const name = req.query.name;
  if (check('literal')) exec('ls ' + name);
  res.send('ok');
});
app.listen(3000);
`,
};

describe('interpreter plug-ins', () => {
  test('void hooks run in list order; call and JSX hooks: the first value decides, none gives a clean value', () => {
    const seen: string[] = [];
    const v = (text: string): Value => ({ flows: [], text, constant: true });
    const hooks = composeHooks([
      { name: 'a', onCondition: () => seen.push('a'), onCall: () => undefined },
      { name: 'b', onCondition: () => seen.push('b'), onCall: () => v('b') },
      { name: 'c', onCall: () => v('c') },
    ]);
    const ctx = {} as Ctx;
    const cond = ts.factory.createTrue();
    hooks.condition(ctx, cond, true);
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(hooks.call(ctx, {} as ts.CallExpression).text, 'b');
    assert.deepEqual(hooks.jsx(ctx, {} as ts.JsxFragment), empty());
  });

  test('concatenation hooks apply in list order, each to the previous result', () => {
    const order: string[] = [];
    const hooks = composeHooks([
      { name: 'first', onConcat: (_c, _p, flows) => (order.push(`first:${flows.length}`), [...flows, flows[0]]) },
      { name: 'second', onConcat: (_c, _p, flows) => (order.push(`second:${flows.length}`), flows.slice(1)) },
    ]);
    const flow = { tags: [] } as unknown as Flow;
    const out = hooks.concat({} as Ctx, { flows: [] }, [flow]);
    assert.deepEqual(order, ['first:1', 'second:2']);
    assert.equal(out.length, 1);
  });

  test('two plug-ins with one name are refused', () => {
    assert.throws(() => composeHooks([{ name: 'x' }, { name: 'x' }]), /named "x"/);
  });

  test('the engine list names each plug-in once and wires calls, guards and observers', () => {
    const hooks = new Set(PLUGINS.flatMap((p) => Object.keys(p).filter((k) => k !== 'name')));
    for (const h of ['onCall', 'onJsx', 'onValue', 'onAssign', 'onElementWrite', 'onCompare', 'onCondition', 'afterExpressionStatement', 'afterLoop', 'onConcat']) {
      assert.ok(hooks.has(h), `no plug-in in plugins.ts provides ${h}`);
    }
    assert.doesNotThrow(() => composeHooks(PLUGINS));
  });

  test('a request value reaching exec is found with the engine list and not without the calls plug-in', async () => {
    assert.ok(sinkRules(await solved(HANDLER, PLUGINS)).includes('command-injection'));
    assert.deepEqual(sinkRules(await solved(HANDLER, PLUGINS.filter((p) => p.name !== 'calls'))), []);
  });

  test('a plug-in evaluates sub-expressions with ctx.eval and sees conditions, ahead of the engine list', async () => {
    const args: (string | undefined)[] = [];
    const conditions: string[] = [];
    const spy: Plugin = {
      name: 'spy',
      onCall: (ctx, node) => {
        const callee = node.expression;
        if (ts.isIdentifier(callee) && callee.text === 'check') args.push(ctx.eval(node.arguments![0]).text);
        return undefined; // the engine's call plug-in still decides
      },
      onCondition: (ctx, cond, truth) => {
        if (truth) conditions.push(cond.getText(ctx.sf));
      },
    };
    const prog = await solved(HANDLER, [spy, ...PLUGINS]);
    assert.ok(args.includes('literal'));
    assert.ok(conditions.includes("check('literal')"));
    assert.ok(sinkRules(prog).includes('command-injection'));
  });
});
