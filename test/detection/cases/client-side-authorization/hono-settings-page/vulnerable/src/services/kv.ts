const store = new Map<string, unknown>();

export const kv = {
  async get<T>(key: string): Promise<T | undefined> {
    return store.get(key) as T | undefined;
  },
  async set(key: string, value: unknown) {
    store.set(key, value);
  },
  async delete(key: string) {
    store.delete(key);
  },
};
