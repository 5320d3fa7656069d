// The render calls of server-side views (`res.render(view, locals)`, `ctx.render`, `reply.view`): the locals
// that a template writes without escaping, or into script context, are where request data becomes markup.
// The hit is placed at the template line; the render call is a step of its trace.
import type ts from 'typescript';
import { project } from '../access.js';
import { addStep, taintOf, type Site, type Value } from '../values.js';
import type { CallInfo } from './callee-match.js';
import type { Ctx } from './context.js';
import { templatesOf } from './templates.js';
import type { Selected, WebSelection } from './web-selection.js';

const CONTEXT_LABEL = {
  raw: 'writes the value into the page without HTML escaping',
  script: 'writes the value into script context, where HTML escaping does not stop it running as code',
};

export function templateSelection(ctx: Ctx, node: ts.Node, call: CallInfo, args: Value[]): WebSelection | 'skip' {
  const index = templatesOf(ctx.prog);
  const name = args[0]?.text;
  if (!index?.any || name === undefined || !call.method) return 'skip';
  const view = index.resolve(ctx.mod.path, name);
  if (!view.files.length) return 'skip';
  const start = ctx.sf.getLineAndCharacterOfPosition(node.getStart(ctx.sf));
  const callSite: Site = { file: ctx.mod.path, line: start.line + 1, column: start.character + 1 };
  const shownName = name.split('\u0000').pop()!.replace(/^\/+/, '');
  return {
    positions: [1],
    select: (locals) => {
      const out: Selected[] = [];
      for (const file of view.files) {
        for (const use of index.sinkUses(file)) {
          const site: Site = { file: use.file, line: use.line, column: use.column };
          for (const ref of use.refs) {
            const v = project(locals, [ref.root, ...ref.path], callSite);
            const step = {
              kind: 'step' as const,
              file: callSite.file,
              line: callSite.line,
              column: callSite.column,
              label: `passed to the view \`${shownName}\` as \`${[ref.root, ...ref.path].join('.').replace(/\.\*/g, '[…]')}\` (${use.file})`,
            };
            for (const f of taintOf(v)) {
              // Always kept (addStep folds steps on one line): it is what ties the template line to the handler.
              let flow = f.steps.length < 24 ? { ...f, steps: [...f.steps, step] } : addStep(f, step);
              // Which of several same-named views the application renders is a guess: the verifier cannot confirm it.
              if (view.ambiguous) flow = { ...flow, partial: [...new Set([...flow.partial, `view \`${shownName}\` resolved by name among ${view.files.length} templates`])] };
              out.push({ flow, requires: 'not-container', at: { site, label: `${CONTEXT_LABEL[use.context]} (${use.language})`, text: use.text } });
            }
          }
        }
      }
      return out;
    },
  };
}
