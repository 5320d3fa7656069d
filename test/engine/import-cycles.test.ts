// Runtime import cycles in the source tree. A cycle means a module can run before the module it
// imports has finished evaluating, and it hides which file owns what; the engine has to stay free of
// them so plug-ins can be added without touching the interpreter. Type-only imports vanish at runtime
// and are not followed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TREES = ['activities', 'api', 'workers', 'workflows'];
const ENGINE = 'activities/engines/builtin/';

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** An import or re-export that survives compilation: not `import type`, not `export type`, and not a
 *  list whose every specifier is `type X`. (`import {}` with no specifiers or a bare `import './x'`
 *  still runs the module.) */
function isRuntime(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isImportDeclaration(node)) {
    const clause = node.importClause;
    if (!clause) return true;
    if (clause.isTypeOnly) return false;
    if (clause.name) return true;
    const bindings = clause.namedBindings;
    if (!bindings || ts.isNamespaceImport(bindings)) return true;
    return bindings.elements.length === 0 || bindings.elements.some((el) => !el.isTypeOnly);
  }
  if (node.isTypeOnly) return false;
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return true;
  return clause.elements.length === 0 || clause.elements.some((el) => !el.isTypeOnly);
}

/** The relative module a specifier names, as a repository path (`./x.js` is `x.ts` on disk). */
function target(from: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => known.has(c));
}

function runtimeGraph(files: string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const edges: string[] = [];
    for (const stmt of source.statements) {
      if (!ts.isImportDeclaration(stmt) && !ts.isExportDeclaration(stmt)) continue;
      if (!stmt.moduleSpecifier || !ts.isStringLiteral(stmt.moduleSpecifier) || !isRuntime(stmt)) continue;
      const to = target(file, stmt.moduleSpecifier.text, known);
      if (to) edges.push(to);
    }
    graph.set(file, edges);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  // Iterative, so a deep import chain cannot overflow the stack.
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: [node: string, next: number][] = [[start, 0]];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const [node, next] = frame;
      const edges = graph.get(node) ?? [];
      if (next < edges.length) {
        frame[1]++;
        const to = edges[next];
        if (!index.has(to)) {
          index.set(to, counter); low.set(to, counter); counter++;
          stack.push(to); onStack.add(to);
          work.push([to, 0]);
        } else if (onStack.has(to)) {
          low.set(node, Math.min(low.get(node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(node)!));
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || edges.includes(node)) found.push(component.map((f) => relative(ROOT, f)).sort());
      }
    }
  }
  return found;
}

const files = TREES.flatMap((tree) => tsFiles(join(ROOT, tree)));
const found = cycles(runtimeGraph(files));
const describe = (list: string[][]) => list.map((c, i) => `  cycle ${i + 1} (${c.length} modules):\n    ${c.join('\n    ')}`).join('\n');

test('the cycle finder sees a cycle through a runtime import and none through a type-only one', () => {
  const a = '/x/a.ts', b = '/x/b.ts', c = '/x/c.ts';
  assert.deepEqual(cycles(new Map([[a, [b]], [b, [c]], [c, [a]]])).map((comp) => comp.length), [3]);
  assert.deepEqual(cycles(new Map([[a, [b]], [b, []], [c, [a]]])), []);
  const parse = (text: string) => ts.createSourceFile('t.ts', text, ts.ScriptTarget.Latest).statements[0] as ts.ImportDeclaration;
  assert.equal(isRuntime(parse(`import type { A } from './a.js';`)), false);
  assert.equal(isRuntime(parse(`import { type A, type B } from './a.js';`)), false);
  assert.equal(isRuntime(parse(`export type { A } from './a.js';`) as unknown as ts.ImportDeclaration), false);
  assert.equal(isRuntime(parse(`import { type A, b } from './a.js';`)), true);
  assert.equal(isRuntime(parse(`import './a.js';`)), true);
  assert.equal(isRuntime(parse(`export * from './a.js';`) as unknown as ts.ImportDeclaration), true);
});

test('the built-in engine has no runtime import cycles (others in the tree are reported)', (t) => {
  const engine = found.filter((c) => c.some((f) => f.startsWith(ENGINE)));
  const rest = found.filter((c) => !c.some((f) => f.startsWith(ENGINE)));
  t.diagnostic(rest.length ? `runtime import cycles outside the engine:\n${describe(rest)}` : 'no runtime import cycles outside the engine');
  assert.equal(engine.length, 0, `runtime import cycles in the engine:\n${describe(engine)}`);
});
