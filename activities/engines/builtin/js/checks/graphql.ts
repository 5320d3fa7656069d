// GraphQL server configuration:
//  - graphql-introspection (CWE-200): introspection switched on explicitly (Apollo `introspection: true`,
//    which overrides its production default), or left on by a server that has no production default
//    (express-graphql, graphql-http answer introspection queries unless validationRules forbid them); an
//    in-browser IDE served unconditionally (`graphiql: true`, `playground: true`);
//  - missing-rate-limit (CWE-307): batching switched on (`allowBatchedHttpRequests: true`): one HTTP
//    request carries hundreds of login or OTP attempts, past any per-request limiter.
// A value computed from the environment (`introspection: process.env.NODE_ENV !== 'production'`) is not reported.
import ts from 'typescript';
import { GRAPHQL_SERVERS, GRAPHQL_VALIDATION_OPTIONS } from '../../models/web-app.js';
import type { Value } from '../../values.js';
import { indexRows, matchesCallee } from '../callee-match.js';
import { isConstant, literalOf, objectProp, patchOf, propAt, siteOfNode, type CheckContext, type PatternFinding } from './common.js';
import type { CallRecord } from './observe.js';

const serverRows = indexRows(GRAPHQL_SERVERS);
const isTrue = (v: Value | undefined) => isConstant(v, 'true');

function serverFindings(rec: CallRecord): PatternFinding[] {
  const out: PatternFinding[] = [];
  const sf = rec.node.getSourceFile();
  const site = siteOfNode(sf, rec.file, rec.node);
  for (const row of serverRows(rec.call)) {
    if (matchesCallee(row.match, rec.call) !== 'typed') continue;
    const opts = rec.args[row.optionsArg];
    // Options we cannot see (built elsewhere from values we do not know) are not judged.
    if (!opts?.props) continue;
    const optsNode = rec.node.arguments?.[row.optionsArg];
    const one = (name: string) => propAt(opts, [name])[0];
    const problems: string[] = [];
    let at: ReturnType<typeof literalOf>;
    const edits: { node: ts.Node; text: string }[] = [];
    if (row.introspectionOption && isTrue(one(row.introspectionOption))) {
      problems.push(`${row.introspectionOption}: true`);
      at ??= literalOf(one(row.introspectionOption));
      const lit = literalOf(one(row.introspectionOption));
      if (lit && lit.node.getSourceFile() === sf) edits.push({ node: lit.node, text: "process.env.NODE_ENV !== 'production'" });
    } else if (row.introspectionByDefault && !GRAPHQL_VALIDATION_OPTIONS.some((o) => one(o)) && !(row.introspectionOption && one(row.introspectionOption))) {
      problems.push('introspection is on by default and no validationRules disable it');
    }
    for (const ide of row.ideOptions) {
      if (!isTrue(one(ide))) continue;
      problems.push(`${ide}: true`);
      const lit = literalOf(one(ide));
      at ??= lit;
      if (lit && lit.node.getSourceFile() === sf) edits.push({ node: lit.node, text: "process.env.NODE_ENV !== 'production'" });
    }
    if (problems.length) {
      const where = at?.site ?? site;
      out.push({
        rule: 'graphql-introspection', site: where, origin: rec.file, key: 'introspection',
        trace: [
          ...(where.file !== site.file || where.line !== site.line ? [{ kind: 'step' as const, file: where.file, line: where.line, column: where.column, label: problems.join(', ') }] : []),
          { kind: 'sink', file: rec.file, line: site.line, column: site.column, label: `${row.label} with ${problems.join(', ')}` },
        ],
        title: `${row.label} exposes its schema: ${problems.join(', ')}`,
        explanation: `The GraphQL server created at ${rec.file}:${site.line} (${row.label}) has ${problems.join(', ')}, in every environment.`,
        patch: edits.length
          ? patchOf(sf, rec.file, edits.map((e) => ({ start: e.node.getStart(sf), end: e.node.getEnd(), text: e.text })), 'Serve introspection and the GraphQL IDE only outside production.')
          : undefined,
      });
    }
    for (const b of row.batchingOptions) {
      if (!isTrue(one(b))) continue;
      const lit = literalOf(one(b));
      const where = lit?.site ?? site;
      const prop = objectProp(optsNode, b);
      out.push({
        rule: 'missing-rate-limit', site: where, origin: rec.file, key: `batching|${b}`,
        trace: [{ kind: 'sink', file: where.file, line: where.line, column: where.column, label: `${b}: true: one HTTP request may carry many operations` }],
        title: `${row.label} accepts batched operations (${b}: true)`,
        explanation:
          `The GraphQL server created at ${rec.file}:${site.line} accepts many operations in one HTTP request (${b}: true): a login or code-checking mutation can be tried hundreds of times per request, past any per-request rate limit.`,
        patch: prop && ts.isPropertyAssignment(prop) && lit && lit.node.getSourceFile() === sf
          ? patchOf(sf, rec.file, [{ start: lit.node.getStart(sf), end: lit.node.getEnd(), text: 'false' }], 'Refuse batched GraphQL requests.')
          : undefined,
      });
    }
  }
  return out;
}

export function graphqlFindings(ctx: CheckContext): PatternFinding[] {
  return ctx.calls.flatMap(serverFindings);
}
