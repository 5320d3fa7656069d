import jwt from 'jsonwebtoken';

export interface Session {
  sub: string;
  scope: string[];
}

const signingKey = process.env.SESSION_SIGNING_KEY ?? '';

export function readSession(token: string): Session {
  // Accepts both signed tokens and the unsigned ones the old mobile client sends.
  return jwt.verify(token, signingKey, { algorithms: ['HS256', 'none'] }) as Session;
}

export function issueSession(session: Session): string {
  return jwt.sign(session, signingKey, { algorithm: 'HS256', expiresIn: '1h' });
}
