import { Router } from 'express';
import { hashPassword } from '../auth/passwords.js';

export const account = Router();

account.post('/password', async (req, res) => {
  const hash = await hashPassword(String(req.body.newPassword ?? ''));
  res.json({ updated: hash.length > 0 });
});
