// Tenant isolation on the Turbopuffer store, through the real client on the local stand-in (the suite:
// test/helpers/tenant-isolation.ts).
import { randomBytes } from 'node:crypto';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openTurbopufferStore } from '../../activities/store/turbopuffer-store.js';
import { tenantIsolationSuite } from '../helpers/tenant-isolation.js';
import { startTurbopufferStandin } from '../helpers/turbopuffer-standin.js';

tenantIsolationSuite('Turbopuffer', async () => {
  const tp = await startTurbopufferStandin();
  const store = openTurbopufferStore({ apiKey: tp.apiKey, baseURL: tp.url, prefix: 'iso', crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])) });
  return { store, close: () => tp.close() };
});
