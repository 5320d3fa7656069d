import { Hono } from 'hono';
import { applyDiscount } from '../rules/discounts';

export const pricing = new Hono();

pricing.post('/quote', async (c) => {
  const { items, discountRule } = await c.req.json();
  const subtotal = items.reduce((sum: number, i: { price: number; qty: number }) => sum + i.price * i.qty, 0);
  return c.json({ total: applyDiscount(subtotal, discountRule) });
});

pricing.get('/currencies', (c) => c.json(['EUR', 'USD']));
