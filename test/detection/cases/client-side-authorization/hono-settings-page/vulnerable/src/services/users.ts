import { kv } from './kv';

export async function remove(id: string) {
  await kv.delete(`user:${id}`);
}
