// SQL fixes specific to ORMs: which library a file talks to (directly or through the modules it imports),
// Prisma's $queryRawUnsafe(text) → the $queryRaw`...` tagged template, which binds every value, and TypeORM
// query builder conditions → `:name` parameters with a parameters object.
import ts from 'typescript';
import type { JsProgram } from '../context.js';
import { importedModules, stringLiteral, type Edit, type Part } from './edit.js';
import { parameterise } from './sql-placeholders.js';

/** Whether `file`, or a repository file it imports (two levels), imports one of `modules`. */
export function reachesModule(prog: JsProgram, file: string, modules: string[], depth = 2, seen = new Set<string>()): boolean {
  const mod = prog.modules.get(file);
  if (!mod || seen.has(file)) return false;
  seen.add(file);
  if (importedModules(mod.sf).some((s) => modules.includes(s))) return true;
  return depth > 0 && mod.deps.some((d) => reachesModule(prog, d, modules, depth - 1, seen));
}

const PRISMA_SAFE: Record<string, string> = { $queryRawUnsafe: '$queryRaw', $executeRawUnsafe: '$executeRaw' };

/** `prisma.$queryRawUnsafe('... ' + x)` → prisma.$queryRaw`... ${x}` (quoted literals become one value). */
export function prismaEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, parts: Part[]): Edit[] | undefined {
  const callee = call.expression;
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(callee) || !PRISMA_SAFE[callee.name.text] || call.arguments.length !== 1) return undefined;
  const rw = parameterise(parts, sf, '?');
  if (!rw || !rw.params.length) return undefined;
  const chunks = rw.sql.split('?');
  if (chunks.length !== rw.params.length + 1) return undefined;
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const body = chunks.map((c, i) => esc(c) + (i < rw.params.length ? `\${${rw.params[i]}}` : '')).join('');
  return [{ start: callee.name.getStart(sf), end: call.getEnd(), text: `${PRISMA_SAFE[callee.name.text]}\`${body}\`` }];
}

const BUILDER_CONDITIONS = ['where', 'andWhere', 'orWhere', 'having', 'andHaving', 'orHaving'];

/** A TypeORM query builder condition with SQL text only (`qb.where("a = '" + x + "'")`). */
export function isQueryBuilderCondition(prog: JsProgram, file: string, call: ts.CallExpression | ts.NewExpression): boolean {
  const c = call.expression;
  return ts.isPropertyAccessExpression(c) && BUILDER_CONDITIONS.includes(c.name.text) && call.arguments?.length === 1 && reachesModule(prog, file, ['typeorm']);
}

/** `where("u.name = '" + name + "'")` → `where('u.name = :name', { name })`. */
export function namedParameterEdits(sf: ts.SourceFile, call: ts.CallExpression | ts.NewExpression, parts: Part[]): Edit[] | undefined {
  const arg = call.arguments?.[0];
  const rw = parameterise(parts, sf, '?');
  if (!arg || !rw || !rw.params.length) return undefined;
  const chunks = rw.sql.split('?');
  if (chunks.length !== rw.params.length + 1 || /:\w/.test(rw.sql)) return undefined;
  const names: string[] = [];
  const entries = rw.params.map((p, i) => {
    let name = /^[A-Za-z_$][\w$]*$/.test(p) ? p : `param${i + 1}`;
    while (names.includes(name)) name = `${name}${i + 1}`;
    names.push(name);
    return name === p ? name : `${name}: ${p}`;
  });
  const sql = chunks.map((c, i) => c + (i < names.length ? `:${names[i]}` : '')).join('');
  return [{ start: arg.getStart(sf), end: arg.getEnd(), text: `${stringLiteral(sql)}, { ${entries.join(', ')} }` }];
}
