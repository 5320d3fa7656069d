// The typed client's view of the API (test/types/api-client.check.ts) compiles as the routes are, and stops
// compiling when a route's shape changes: the check is compiled here with the TypeScript compiler, once as
// the sources are and once with two routes changed in memory (an input loosened, an answer retyped).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const checkFile = join(root, 'test/types/api-client.check.ts');

function compilerOptions(): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath).options;
}

/** Diagnostics of a program rooted at the check file, with some sources replaced (path → text). */
function compile(options: ts.CompilerOptions, replaced: Map<string, string> = new Map(), oldProgram?: ts.Program) {
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, readFile } = host;
  host.readFile = (file) => replaced.get(resolve(file)) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const text = replaced.get(resolve(file));
    return text === undefined ? getSourceFile.call(host, file, language, onError, create) : ts.createSourceFile(file, text, language, true);
  };
  const program = ts.createProgram({ rootNames: [checkFile], options, host, oldProgram });
  // The check file's own diagnostics (the project's typecheck covers every other file): TypeScript then checks
  // only what that file needs.
  const file = program.getSourceFile(checkFile)!;
  const found = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(file),
    ...program.getSemanticDiagnostics(file),
  ];
  const diagnostics = found.map((d) => {
    const where = d.file ? `${d.file.fileName.slice(root.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return { where, code: d.code, text: `${where} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` };
  });
  return { program, diagnostics };
}

/** The source with one exact piece of text replaced (the test fails loudly if the piece is gone). */
function changed(file: string, from: string, to: string): [string, string] {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}; update this test's change`);
  return [path, text.replace(from, to)];
}

test('the typed client checks every route’s inputs and answers, and a changed route fails to compile', () => {
  const options = compilerOptions();
  const asIs = compile(options);
  assert.deepEqual(asIs.diagnostics.map((d) => d.text), [], 'test/types/api-client.check.ts compiles against the routes as they are');

  const routesChanged = compile(
    options,
    new Map([
      // An input loosened: any engine name accepted.
      changed('api/routes/schemas.ts', "engine: z.enum(['builtin', 'claude']).default('builtin')", "engine: z.string().default('builtin')"),
      // An answer retyped: deduplicated sent as a string.
      changed('api/routes/scans.ts', 'deduplicated: started.deduplicated,', 'deduplicated: String(started.deduplicated),'),
    ]),
    asIs.program,
  );
  const inCheck = routesChanged.diagnostics;
  const lines = readFileSync(checkFile, 'utf8').split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  // The `@ts-expect-error no such engine` directive is now unused (TS2578); the deduplicated check fails (TS2344).
  assert.ok(
    inCheck.some((d) => d.code === 2578 && d.where.endsWith(`:${lineOf('@ts-expect-error no such engine')}`)),
    routesChanged.diagnostics.map((d) => d.text).join('\n'),
  );
  assert.ok(
    inCheck.some((d) => d.code === 2344 && d.where.endsWith(`:${lineOf('typeof started.deduplicated')}`)),
    routesChanged.diagnostics.map((d) => d.text).join('\n'),
  );
});
