// The interpreter's plug-ins, in the order their hooks run (hooks.ts). This list is the one place where the
// engine's behaviour beyond plain JS semantics is wired in: a new idiom module adds an entry here rather than
// an import in interpreter.ts.
import ts from 'typescript';
import type { Plugin } from './hooks.js';
import { checkAccessComparison } from './access-calls.js';
import { checkPropertySink, evalCall } from './calls.js';
import { observeValue } from './checks/observe.js';
import { refine } from './conditions.js';
import { noteDynamicWrite } from './dynamic-writes.js';
import { evalJsx } from './jsx.js';
import { refineAfterCall, refineAfterLoop } from './server-guards.js';
import { placedAfter } from './sink-conditions.js';
import { sameSiteAfter } from './web-sinks.js';

export const PLUGINS: readonly Plugin[] = [
  // Calls against the model tables (sinks, sanitisers, type producers, routes) or summaries (calls.ts);
  // `recv.name = value` where a sink model names the property (`ctx.body = html`).
  {
    name: 'calls',
    onCall: evalCall,
    onAssign: (ctx, node, v) => {
      if (ts.isPropertyAccessExpression(node.left)) checkPropertySink(ctx, node, node.left, v);
    },
  },
  // Elements: attribute and child expressions, raw-HTML attributes, components called with their props.
  { name: 'jsx', onJsx: evalJsx },
  // checks/ watch a few expressions (values landing in security-named places).
  { name: 'checks', onValue: observeValue },
  // Prototype pollution: writes through a computed key.
  { name: 'dynamic-writes', onElementWrite: noteDynamicWrite },
  // access-control/: comparisons of a record's owner with the user.
  { name: 'access', onCompare: checkAccessComparison },
  // Guards narrow the branch where they hold (conditions.ts and the guard modules it consults).
  { name: 'guards', onCondition: refine },
  // `checkKey(k);` with a helper that throws on polluting names; a loop that rejects polluting elements.
  { name: 'server-guards', afterExpressionStatement: refineAfterCall, afterLoop: refineAfterLoop },
  // Text after a fixed URL host cannot redirect a request (sink-conditions.ts).
  { name: 'fixed-host', onConcat: (_ctx, prefix, flows) => placedAfter(prefix, flows) },
  // Text after a constant same-site prefix ("/users/", "https://app.example/") cannot redirect off-site (web-sinks.ts).
  { name: 'same-site', onConcat: (_ctx, prefix, flows) => sameSiteAfter(prefix, flows) },
];
