// Which addresses a git clone may connect to: public unicast only. Pure functions, no I/O.
import { isIPv6 } from 'node:net';

/**
 * A host written as an IPv4 address in any form getaddrinfo/inet_aton or curl accept: dotted quad, fewer
 * parts ("127.1"), one 32-bit number ("2130706433"), octal ("0177.0.0.1") or hex ("0x7f.1"). The address
 * as four bytes, or undefined when the host is not such a literal.
 */
export function parseIPv4(host: string): number[] | undefined {
  if (!/^[0-9a-fx.]+$/i.test(host)) return undefined;
  const parts = host.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) n = parseInt(p, 10);
    else return undefined;
    if (!Number.isFinite(n)) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  const bytes = [...nums];
  for (let i = 4 - nums.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** An IPv6 literal (no brackets; a %zone is dropped) as sixteen bytes, or undefined. */
export function parseIPv6(host: string): number[] | undefined {
  const addr = host.replace(/%.*$/, '');
  if (!isIPv6(addr)) return undefined;
  let text = addr;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail.push(...v4[1].split('.').map(Number));
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head, rest] = text.split('::');
  const group = (s: string) => (s ? s.split(':').filter((g) => g !== '') : []);
  const hs = group(head);
  const rs = rest === undefined ? [] : group(rest);
  const zeros = rest === undefined ? [] : new Array(8 - hs.length - rs.length).fill('0');
  const groups = [...hs, ...zeros, ...rs].map((g) => parseInt(g, 16));
  const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes.length === 16 ? bytes : undefined;
}

// [first address, prefix length, what it is]
const V4_REFUSED: [number[], number, string][] = [
  [[0, 0, 0, 0], 8, 'unspecified'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared (CGNAT)'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local (cloud metadata)'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, 'reserved'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved or broadcast'],
];

const V6_REFUSED: [number[], number, string][] = [
  [[0x01, 0x00], 64, 'reserved'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x20, 0x01, 0x00, 0x00], 23, 'reserved'],
  [[0xfc], 7, 'private (unique local)'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

function inPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((bytes[byte] & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

/** Why a clone must not connect to this address (e.g. "loopback"), or undefined for a public address. */
export function refusedAddressReason(address: string): string | undefined {
  const v4 = parseIPv4(address);
  if (v4) return v4Reason(v4);
  const v6 = parseIPv6(address);
  if (!v6) return 'not an IP address';
  const zeroPrefix = (n: number) => v6.slice(0, n).every((b) => b === 0);
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 address they embed.
  if (zeroPrefix(10) && v6[10] === 0xff && v6[11] === 0xff) return v4Reason(v6.slice(12));
  if (inPrefix(v6, [0x00, 0x64, 0xff, 0x9b], 96)) return v4Reason(v6.slice(12));
  // 6to4 (2002:aabb:ccdd::) embeds an IPv4 address too.
  if (v6[0] === 0x20 && v6[1] === 0x02) return v4Reason(v6.slice(2, 6));
  if (zeroPrefix(15)) return v6[15] === 1 ? 'loopback' : v6[15] === 0 ? 'unspecified' : 'reserved';
  if (v6[0] === 0) return 'reserved';
  for (const [prefix, bits, why] of V6_REFUSED) if (inPrefix(v6, prefix, bits)) return why;
  return undefined;
}

function v4Reason(bytes: number[]): string | undefined {
  for (const [prefix, bits, why] of V4_REFUSED) if (inPrefix(bytes, prefix, bits)) return why;
  return undefined;
}
