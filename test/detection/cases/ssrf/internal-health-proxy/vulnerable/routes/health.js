import { Router } from 'express';
import { probe } from '../lib/probe.js';

const SERVICES = { billing: 'billing.internal', search: 'search.internal', mail: 'mail.internal' };
const router = Router();

router.get('/health', async (req, res) => {
  const host = req.query.host;
  const result = await probe('http://' + host + ':8080/health');
  res.json({ host, ...result });
});

export default router;
