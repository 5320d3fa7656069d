// mass-assignment (CWE-915): the whole request body (the object itself, or a spread of it) is written
// into a record: create/update/insert, findByIdAndUpdate, `record.set(body)`, `Object.assign(record, body)`.
// Picking fields or validating against a schema breaks the flow of the whole object, so those are safe.
// A model definition with privileged fields (role, isAdmin, ownerId, balance …) makes it certain; a model
// without any is not reported.
import { BOOKKEEPING_FIELDS, PRIVILEGED_FIELDS } from '../models/access-control.js';
import { SERVER_ACTION_SOURCE } from '../models/frameworks.js';
import type { SinkHit } from '../summaries.js';
import { SPREAD_TAG } from '../values.js';
import type { Route } from './chains.js';
import { DATA, DATA_RECORD, isRequestFlow, rootOf } from './collect.js';
import { receiverOf, step, type AccessContext, type Draft } from './context.js';
import type { ModelDef } from './facts.js';

/** The whole body of a request (`req.body`, `ctx.request.body`, `await c.req.json()`), not one of its fields. */
const wholeBody = (h: SinkHit) => {
  const root = rootOf(h.flow);
  // A Server Action's argument is the whole object the client sent (its label is the parameter's name).
  const whole = root.sourceKind === SERVER_ACTION_SOURCE || (root.label === root.sourceKind && /(^|\.)(body|json\(\)|parseBody\(\)|formData\(\))$/.test(root.sourceKind));
  if (!isRequestFlow(h.flow) || !whole) return false;
  // A spread copies every field, unless the object was rebuilt on the way: a function that returned a new
  // object (a local `pick(req.body, keys)`) keeps the body as its root but not its fields.
  return h.flow.alias || (h.flow.tags.includes(SPREAD_TAG) && !h.flow.steps.some((s) => RETURN_STEP.test(s.label)));
};
const RETURN_STEP = /^returned from /;

/** The model a write goes to: the receiver of `Order.create`, or the variable of `order.set(...)`/`Object.assign(order, …)`. */
function modelOf(ctx: AccessContext, h: SinkHit): ModelDef | undefined {
  const built = /^new\s+([A-Za-z_$][\w$]*)$/.exec(h.calleeText)?.[1];
  if (built) return ctx.model(built);
  const target = /\(\s*([A-Za-z_$][\w$]*)$/.exec(h.calleeText)?.[1];
  const byTarget = target ? ctx.model(target) : undefined;
  if (byTarget) return byTarget;
  const recv = receiverOf(h.calleeText);
  return recv ? ctx.model(recv) : undefined;
}

export function massAssignment(ctx: AccessContext): Draft[] {
  const out: Draft[] = [];
  const seen = new Set<string>();
  const ordered = [...ctx.chains.routes].sort((a, b) => Number(b.reachable) - Number(a.reachable));
  for (const r of ordered) {
    const a = ctx.access(r);
    for (const hit of a.hits) {
      if ((hit.sinkId !== DATA && hit.sinkId !== DATA_RECORD) || !wholeBody(hit)) continue;
      const key = `${hit.site.file}:${hit.site.line}:${hit.site.column}`;
      if (seen.has(key)) continue;
      const model = modelOf(ctx, hit);
      // A write onto a value known only by name (`hash.update(req.body)`) counts when the name is a model's.
      if (hit.sinkId === DATA_RECORD && !model) continue;
      const privileged = model?.fields.filter((f) => PRIVILEGED_FIELDS.test(f.name)).map((f) => f.name) ?? [];
      if (model && !privileged.length) continue;
      seen.add(key);
      out.push(draft(ctx, r, hit, model, privileged, a.files));
    }
  }
  return out;
}

function draft(ctx: AccessContext, r: Route, hit: SinkHit, model: ModelDef | undefined, privileged: string[], files: Set<string>): Draft {
  const root = rootOf(hit.flow);
  const spread = hit.flow.tags.includes(SPREAD_TAG);
  const call = `\`${hit.calleeText}(…)\``;
  const explanation =
    `${spread ? `A spread of \`${root.label}\`` : `\`${root.label}\``} (every field the client sends, read in the ${r.route} handler at ${root.site.file}:${root.site.line}) ` +
    `reaches ${call} at ${hit.site.file}:${hit.site.line}, which ${hit.label}.` +
    (model ? ` ${model.name} (${model.file}:${model.line}) has fields a client must not set: ${privileged.map((p) => `\`${p}\``).join(', ')}.` : ' No model definition was found to tell which fields are privileged.');
  const trace = [
    step('source', root.site, `\`${root.label}\` (the whole request body) read in the ${r.route} handler`),
    ...hit.flow.steps.map((s) => ({ ...s, kind: 'step' as const })),
  ];
  if (model) {
    const f = model.fields.find((x) => x.name === privileged[0]);
    trace.push(step('step', { file: model.file, line: f?.line ?? model.line, column: 1 }, `${model.name}.${privileged[0]} is privileged`));
  }
  trace.push(step('sink', hit.site, `${call} ${hit.label}`));
  return {
    rule: 'mass-assignment',
    title: `${root.label} written whole into ${model?.name ?? 'a record'} by ${hit.calleeText.replace(/\(.*$/, '')}()`,
    location: hit.site,
    route: r,
    trace,
    explanation,
    files: [...files, ...hit.flow.files, ...(model ? [model.file] : [])],
    evidence: { model: model?.name, modelFile: model?.file, privilegedFields: privileged },
    patch: model ? pickPatch(ctx, root, model, privileged) : undefined,
  };
}

/** Replace `req.body` (or `...req.body`) at the source with the model's non-privileged fields. */
function pickPatch(ctx: AccessContext, root: ReturnType<typeof rootOf>, model: ModelDef, privileged: string[]) {
  const s = root.site;
  if (!s.endLine || !s.endColumn || s.endLine !== s.line) return undefined;
  const allowed = model.fields.map((f) => f.name).filter((n) => !privileged.includes(n) && !BOOKKEEPING_FIELDS.test(n) && /^[A-Za-z_$][\w$]*$/.test(n));
  if (!allowed.length) return undefined;
  const line = (ctx.files.read(s.file) ?? '').split('\n')[s.line - 1] ?? '';
  const expr = line.slice(s.column - 1, s.endColumn - 1);
  if (!/^[\w$.]+$/.test(expr)) return undefined;
  const props = allowed.map((n) => `${n}: ${expr}.${n}`).join(', ');
  const spread = line.slice(0, s.column - 1).endsWith('...');
  const edit = spread
    ? { line: s.line, column: s.column - 3, endLine: s.line, endColumn: s.endColumn, text: props }
    : { line: s.line, column: s.column, endLine: s.line, endColumn: s.endColumn, text: `{ ${props} }` };
  return ctx.facts.edit(s.file, [edit], `Copy only the fields a client may set (${allowed.join(', ')}), not ${privileged.join(', ')}.`);
}
