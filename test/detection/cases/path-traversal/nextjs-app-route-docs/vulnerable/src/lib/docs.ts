import { readFile } from 'node:fs/promises';
import path from 'node:path';

const DOCS_ROOT = path.join(process.cwd(), 'content', 'docs');
const VERSIONS = ['latest', 'v1', 'v2'];

export async function readDoc(version: string, slug: string): Promise<string> {
  const dir = VERSIONS.includes(version) ? version : 'latest';
  const file = path.join(DOCS_ROOT, dir, `${slug}.md`);
  return readFile(file, 'utf8');
}
