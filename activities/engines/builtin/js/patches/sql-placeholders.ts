// Placeholder SQL from a query's text and interpolated parts; shared by the plain-driver fix (sql.ts)
// and the ORM fixes (sql-orm.ts).
import ts from 'typescript';
import type { Part } from './edit.js';

const VALUE_POSITION = /(=|<>|!=|<=|>=|<|>|\blike|\bilike|\bin\s*\(|\(|,|\blimit|\boffset|\bvalues\s*\(|\bthen|\belse|\bbetween|\band)\s*$/i;

interface Rewritten {
  sql: string;
  params: string[];
}

/** Replace each interpolated expression by a placeholder; quoted fragments become one parameter. */
export function parameterise(parts: Part[], sf: ts.SourceFile, style: '?' | '$n'): Rewritten | undefined {
  const params: string[] = [];
  const ph = () => (style === '?' ? '?' : `$${params.length}`);
  let sql = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.kind === 'text') {
      if (/\?|\$\d/.test(p.text)) return undefined; // already has placeholders: do not mix styles/orders
      sql += p.text;
      continue;
    }
    const quote = openQuote(sql);
    if (quote) {
      // Inside a quoted SQL literal: the whole literal becomes one parameter.
      const q = sql.lastIndexOf(quote.char);
      const prefix = sql.slice(q + 1);
      const inner: (string | ts.Expression)[] = prefix ? [prefix] : [];
      let j = i;
      let rest: string | undefined;
      for (; j < parts.length; j++) {
        const x = parts[j];
        if (x.kind === 'expr') {
          inner.push(x.node);
          continue;
        }
        const close = x.text.indexOf(quote.char);
        if (close >= 0) {
          if (close > 0) inner.push(x.text.slice(0, close));
          rest = x.text.slice(close + 1);
          break;
        }
        inner.push(x.text);
      }
      if (rest === undefined) return undefined;
      params.push(paramExpr(inner, sf));
      sql = sql.slice(0, q) + ph() + rest;
      i = j;
      continue;
    }
    if (!VALUE_POSITION.test(sql)) return undefined; // an identifier or keyword position cannot be bound
    params.push(p.node.getText(sf));
    sql += ph();
  }
  return { sql, params };
}

function openQuote(sql: string): { char: string } | undefined {
  let open: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (open) {
      if (c === open) {
        if (sql[i + 1] === open) i++;
        else open = undefined;
      } else if (c === '\\') i++;
    } else if (c === "'" || c === '"') open = c;
  }
  return open ? { char: open } : undefined;
}

function paramExpr(inner: (string | ts.Expression)[], sf: ts.SourceFile): string {
  if (inner.length === 1 && typeof inner[0] !== 'string') return inner[0].getText(sf);
  const body = inner
    .map((x) => (typeof x === 'string' ? x.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') : `\${${x.getText(sf)}}`))
    .join('');
  return `\`${body}\``;
}
