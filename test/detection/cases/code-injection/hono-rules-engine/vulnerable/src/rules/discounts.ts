// Discount rules are stored as small expressions over `total`, e.g. "total > 100 ? total * 0.9 : total".
export function applyDiscount(total: number, rule: string): number {
  const compute = new Function('total', `return (${rule});`);
  return Number(compute(total));
}
