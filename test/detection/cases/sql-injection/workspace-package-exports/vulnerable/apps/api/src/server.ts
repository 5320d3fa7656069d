import express from 'express';
import { invoicesByStatus } from '@acme/data/repositories/invoices';

const app = express();

app.get('/tenants/:tenant/invoices', async (req, res) => {
  const status = String(req.query.status ?? 'open');
  res.json(await invoicesByStatus(req.params.tenant, status));
});

app.listen(3000);
