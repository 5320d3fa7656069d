// The store contract against the PostgreSQL store, on a real PostgreSQL 15 started by the test
// (infra/postgres.ts); every store opened gets a database of its own.
import { randomBytes } from 'node:crypto';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openPostgresStore } from '../../activities/store/postgres-store.js';
import { storeContract } from '../helpers/store-contract.js';
import { testPostgres } from '../helpers/postgres.js';

storeContract('postgres', async () =>
  openPostgresStore({
    url: await (await testPostgres()).freshDatabase('contract'),
    crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])),
  }),
);
