import { Router } from 'express';
import { ordersForCustomer } from '@services/orders';

export const ordersRouter = Router();

ordersRouter.get('/', async (req, res) => {
  const status = typeof req.query.status === 'string' ? req.query.status : 'open';
  const orders = await ordersForCustomer(String(req.query.customer ?? ''), status);
  res.json(orders);
});
