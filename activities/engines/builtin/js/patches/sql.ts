// SQL injection fix: turn a query built by concatenation or a template literal into a placeholder query
// with a parameters array, keeping the call otherwise identical.
import ts from 'typescript';
import type { JsProgram } from '../context.js';
import { isQueryBuilderCondition, namedParameterEdits, prismaEdits, reachesModule } from './sql-orm.js';
import { flattenString, importedModules, singleUseDeclaration, stringLiteral, type Edit, type Part } from './edit.js';
import { parameterise } from './sql-placeholders.js';

const DOLLAR_DRIVERS = ['pg', 'pg-promise', 'postgres', 'pg-pool'];
const QUESTION_DRIVERS = ['mysql', 'mysql2', 'mysql2/promise', 'sqlite3', 'sqlite', 'better-sqlite3', 'knex', 'sequelize'];

/** `$1, $2 ...` for node-postgres, `?` for the others; decided by the drivers the file (or its imports) use. */
export function placeholderStyle(prog: JsProgram, file: string): '?' | '$n' {
  const seen = new Set<string>();
  const look = (f: string, depth: number): '?' | '$n' | undefined => {
    const mod = prog.modules.get(f);
    if (!mod || seen.has(f)) return undefined;
    seen.add(f);
    const specs = importedModules(mod.sf);
    if (specs.some((s) => DOLLAR_DRIVERS.includes(s))) return '$n';
    if (specs.some((s) => QUESTION_DRIVERS.includes(s))) return '?';
    if (depth > 0) for (const d of mod.deps) {
      const r = look(d, depth - 1);
      if (r) return r;
    }
    return undefined;
  };
  return look(file, 2) ?? '?';
}

export function sqlEdits(prog: JsProgram, sf: ts.SourceFile, file: string, call: ts.CallExpression | ts.NewExpression, argIndex: number): Edit[] | undefined {
  const args = call.arguments ?? ts.factory.createNodeArray();
  const arg = args[argIndex];
  if (!arg || argIndex !== 0) return undefined;
  let query: ts.Expression = arg;
  if (ts.isIdentifier(arg)) {
    const decl = singleUseDeclaration(arg);
    if (!decl?.initializer) return undefined;
    query = decl.initializer;
  }
  const parts = flattenString(query);
  if (!parts) return undefined;
  if (ts.isPropertyAccessExpression(call.expression) && call.expression.name.text.endsWith('RawUnsafe')) return query === arg ? prismaEdits(sf, call, parts) : undefined;
  if (isQueryBuilderCondition(prog, file, call)) return query === arg ? namedParameterEdits(sf, call, parts) : undefined;
  const style = placeholderStyle(prog, file);
  const rw = parameterise(parts, sf, style);
  if (!rw || !rw.params.length) return undefined;
  const literal = stringLiteral(rw.sql, ts.isTemplateExpression(query) && rw.sql.includes('\n'));
  const edits: Edit[] = [{ start: query.getStart(sf), end: query.getEnd(), text: literal }];
  const list = `[${rw.params.join(', ')}]`;
  const callee = call.expression;
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (method === 'prepare') {
    // better-sqlite3: db.prepare(sql).all() binds its arguments.
    const parent = call.parent;
    if (!ts.isPropertyAccessExpression(parent) || !ts.isCallExpression(parent.parent) || parent.parent.arguments.length) return undefined;
    const run = parent.parent;
    edits.push({ start: run.getEnd() - 1, end: run.getEnd() - 1, text: rw.params.join(', ') });
    return edits;
  }
  if (method === 'query' && reachesModule(prog, file, ['sequelize'])) {
    // sequelize.query(sql, options): the values go into options.replacements.
    const options = args[1];
    if (args.length > 2 || (options && !ts.isObjectLiteralExpression(options))) return undefined;
    if (!options) edits.push({ start: arg.getEnd(), end: arg.getEnd(), text: `, { replacements: ${list} }` });
    else if (options.properties.some((p) => ts.isSpreadAssignment(p) || p.name?.getText(sf) === 'replacements' || p.name?.getText(sf) === 'bind')) return undefined;
    else edits.push({ start: options.getStart(sf) + 1, end: options.getStart(sf) + 1, text: ` replacements: ${list},` });
    return edits;
  }
  const second = args[1];
  if (!second) edits.push({ start: arg.getEnd(), end: arg.getEnd(), text: `, ${list}` });
  else if (ts.isArrowFunction(second) || ts.isFunctionExpression(second) || ts.isIdentifier(second)) {
    // query(sql, callback) → query(sql, params, callback)
    if (ts.isIdentifier(second) && !/^(cb|callback|done|next|handler|on[A-Z]\w*)$/.test(second.text)) return undefined;
    edits.push({ start: second.getStart(sf), end: second.getStart(sf), text: `${list}, ` });
  } else return undefined;
  return edits;
}
