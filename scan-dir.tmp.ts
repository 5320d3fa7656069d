import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createBuiltinEngine, createBuiltinVerifier } from './activities/engines/builtin/index.ts';
const dir = process.argv[2];
const files: Record<string, string> = {};
const walk = (d: string) => { for (const n of readdirSync(d)) { if (n === 'node_modules' || n.startsWith('.')) continue; const p = join(d, n); const st = statSync(p); if (st.isDirectory()) walk(p); else if (/\.(m?[jt]sx?|cjs|json|prisma)$/.test(n) && st.size < 1e6) files[relative(dir, p)] = readFileSync(p, 'utf8'); } };
walk(dir);
const paths = Object.keys(files).sort();
const src = { paths: () => paths, read: (p: string) => files[p] };
const t = Date.now();
const out = await createBuiltinEngine().analyse({ files: src, scope: null });
const v = await createBuiltinVerifier().verify({ files: src, candidates: out.candidates });
console.log(dir, paths.length, 'files', Date.now() - t, 'ms');
for (const c of out.candidates) { const vv = v.find((x) => x.candidateId === c.id)!; if (vv.verdict !== 'rejected') console.log(' ', vv.verdict, c.ruleId, `${c.location.file}:${c.location.startLine}`, '|', c.title.slice(0, 110)); }
