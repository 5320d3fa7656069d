import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';

export interface Claims {
  sub: string;
  role: 'agent' | 'admin';
}

export function authenticate(req: Request, res: Response, next: NextFunction) {
  const header = req.headers.authorization ?? '';
  try {
    (req as Request & { user?: Claims }).user = jwt.verify(header.replace(/^Bearer /, ''), process.env.JWT_SECRET!, { algorithms: ['HS256'] }) as Claims;
    next();
  } catch {
    res.status(401).end();
  }
}

export function authorize(role: Claims['role']) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = (req as Request & { user?: Claims }).user;
    if (user?.role !== role) return res.status(403).end();
    next();
  };
}
