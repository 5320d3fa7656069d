import { kv } from './kv';

export interface Smtp {
  host: string;
  port: number;
  username: string;
  password: string;
}

export async function smtp(): Promise<Omit<Smtp, 'password'>> {
  const s = (await kv.get<Smtp>('smtp')) ?? { host: '', port: 587, username: '', password: '' };
  return { host: s.host, port: s.port, username: s.username };
}

export async function saveSmtp(s: Smtp) {
  await kv.set('smtp', s);
}
