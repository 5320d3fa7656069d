import { Router, type Request, type Response } from 'express';
import { User } from '../models/user';

export const users = Router();

users.post('/users', async (req: Request, res: Response) => {
  const email = String(req.body.email ?? '');
  const created = await User.create({ email, password: req.body.password, name: req.body.name });
  res.status(201).json({ id: created.id });
});
