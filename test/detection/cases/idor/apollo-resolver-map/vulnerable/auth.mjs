import jwt from 'jsonwebtoken';

export async function userFromRequest(req) {
  const raw = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  return raw ? jwt.verify(raw, process.env.JWT_KEY, { algorithms: ['HS512'] }) : null;
}
