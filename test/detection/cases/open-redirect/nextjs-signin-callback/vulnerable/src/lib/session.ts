import { cookies } from 'next/headers';
import { getIronSession } from 'iron-session';

export type SessionData = { userId?: string };

export async function getSession() {
  return getIronSession<SessionData>(await cookies(), { password: process.env.SESSION_SECRET!, cookieName: 'portal_session' });
}
