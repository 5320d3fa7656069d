import { Router } from 'express';
import { readSession } from '../services/tokens.js';

export const profileRouter = Router();

profileRouter.get('/', (req, res) => {
  try {
    const session = readSession(String(req.headers['x-session'] ?? ''));
    res.json({ user: session.sub, scope: session.scope });
  } catch {
    res.status(401).end();
  }
});
