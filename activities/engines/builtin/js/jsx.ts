// JSX: expressions inside elements are evaluated for their calls; a component element `<Profile bio={x} />`
// calls the component with its props (so request data reaches what server-side rendering produces); and
// raw-HTML attributes (models/sinks-web.ts JSX_HTML_ATTRIBUTES) are XSS sinks.
import ts from 'typescript';
import { memberAccess } from '../access.js';
import { JSX_HTML_ATTRIBUTES } from '../models/sinks-web.js';
import { instantiate } from '../summaries.js';
import { empty, join, taintOf, type Value } from '../values.js';
import type { Ctx } from './context.js';
import { siteOf } from './sites.js';

const attrName = (a: ts.JsxAttribute) => (ts.isIdentifier(a.name) ? a.name.text : a.name.getText());

/** The props object an element passes: its attributes (spread ones merged) and children. */
function propsOf(ctx: Ctx, attrs: ts.JsxAttributes, children: readonly ts.JsxChild[]): Value {
  const props = new Map<string, Value>();
  let spread: Value = empty();
  for (const a of attrs.properties) {
    if (ts.isJsxSpreadAttribute(a)) {
      const v = ctx.eval(a.expression);
      for (const [k, pv] of v.props ?? []) props.set(k, pv);
      spread = join(spread, { flows: v.flows });
      continue;
    }
    const init = a.initializer;
    const v = !init ? { flows: [], text: 'true', constant: true } : ts.isStringLiteral(init) ? { flows: [], text: init.text, constant: true } : ts.isJsxExpression(init) && init.expression ? ctx.eval(init.expression) : evalJsx(ctx, init as ts.Expression);
    props.set(attrName(a), v);
    const html = JSX_HTML_ATTRIBUTES.find((h) => h.attribute === attrName(a));
    if (html) {
      const site = siteOf(ctx, a);
      for (const flow of taintOf(memberAccess(v, html.member, site))) {
        if (flow.cuts.includes('xss')) continue;
        ctx.out.addSink({ sinkId: html.id, rule: 'xss', site, argIndex: 0, flow, label: html.label, calleeText: html.attribute });
      }
    }
  }
  let kids: Value = empty();
  for (const c of children) kids = join(kids, evalJsx(ctx, c as ts.Expression));
  if (children.length) props.set('children', kids);
  return { ...spread, props };
}

/** Evaluate a JSX node; component elements instantiate the component with their props. */
export function evalJsx(ctx: Ctx, e: ts.Node): Value {
  if (ts.isJsxExpression(e)) return e.expression ? ctx.eval(e.expression) : empty();
  if (ts.isJsxText(e)) return empty();
  if (ts.isJsxFragment(e)) {
    for (const c of e.children) evalJsx(ctx, c);
    return empty();
  }
  const opening = ts.isJsxElement(e) ? e.openingElement : ts.isJsxSelfClosingElement(e) ? e : undefined;
  if (!opening) return ts.isExpression(e as ts.Node) ? ctx.eval(e as ts.Expression) : empty();
  const props = propsOf(ctx, opening.attributes, ts.isJsxElement(e) ? e.children : []);
  // A component (capitalised or dotted tag): a call the analysis can follow.
  const tag = opening.tagName;
  if ((ts.isIdentifier(tag) && /^[A-Z]/.test(tag.text)) || ts.isPropertyAccessExpression(tag)) {
    const comp = ctx.eval(tag as ts.Expression);
    const site = siteOf(ctx, opening);
    for (const fn of comp.fns ?? []) instantiate(ctx.prog.provider, fn, [props], { site, argText: () => undefined, depth: 0 }, ctx.out);
  }
  return empty();
}
