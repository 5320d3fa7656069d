import { Router } from 'express';
import { authenticate, authorize } from '../middleware/auth';
import * as customers from '../services/customers';

export const customersRouter = Router();

customersRouter.get('/', authenticate, async (req, res) => {
  res.json(await customers.search(String(req.query.q ?? '')));
});

customersRouter.get('/export', authenticate, async (_req, res) => {
  res.type('text/csv').send(await customers.exportAll());
});

customersRouter.delete('/:id', authenticate, authorize('admin'), async (req, res) => {
  await customers.remove(req.params.id);
  res.status(204).end();
});
