// Tenant isolation on the PostgreSQL store, on a real PostgreSQL 15 (the suite: test/helpers/tenant-isolation.ts).
import { randomBytes } from 'node:crypto';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openPostgresStore } from '../../activities/store/postgres-store.js';
import { testPostgres } from '../helpers/postgres.js';
import { tenantIsolationSuite } from '../helpers/tenant-isolation.js';

tenantIsolationSuite('PostgreSQL', async () => {
  const url = await (await testPostgres()).freshDatabase('isolation');
  const store = openPostgresStore({ url, crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])) });
  return { store, close: async () => {} };
});
