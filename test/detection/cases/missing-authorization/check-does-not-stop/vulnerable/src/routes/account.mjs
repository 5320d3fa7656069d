import { Router } from 'express';
import { ensureLoggedIn } from '../guard.mjs';
import { db } from '../db.mjs';

export const accountRouter = Router();

accountRouter.get('/', async (req, res) => {
  if (!ensureLoggedIn(req, res)) return;
  const row = await db.get('SELECT email, plan FROM accounts WHERE id = ?', [req.session.userId]);
  res.json(row);
});

accountRouter.post('/close', async (req, res) => {
  ensureLoggedIn(req, res);
  await db.run('UPDATE accounts SET closed = 1 WHERE id = ?', [req.session.userId]);
  res.json({ closed: true });
});
