// Writes a case's fix.patch from a fixed copy of its vulnerable tree:
//   node --import tsx test/detection/make-fix-patch.ts test/detection/cases/<class>/<case> /tmp/fixed-copy
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUnifiedDiff } from '../../activities/patches/create-diff.js';
import { applyPatch, readTree } from './suite.js';

const [caseDir, fixedDir] = process.argv.slice(2);
if (!caseDir || !fixedDir) {
  console.error('usage: make-fix-patch.ts <case dir> <fixed tree>');
  process.exit(2);
}
const before = readTree(join(caseDir, 'vulnerable'));
const after = readTree(fixedDir);
const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
const parts = paths.filter((p) => before[p] !== after[p]).map((p) => createUnifiedDiff(p, before[p] ?? '', after[p] ?? ''));
if (!parts.length) {
  console.error('the fixed tree is identical to the vulnerable one');
  process.exit(1);
}
const patch = parts.join('');
const check = applyPatch(before, patch, caseDir);
for (const p of paths) if ((check[p] ?? '') !== (after[p] ?? '')) throw new Error(`round trip failed for ${p}`);
writeFileSync(join(caseDir, 'fix.patch'), patch);
console.log(`wrote ${join(caseDir, 'fix.patch')} (${parts.length} file(s))`);
