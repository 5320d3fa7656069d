// The store contract against the Turbopuffer store, through the real client, on the local stand-in.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { keyringFromKeys } from '../../activities/crypto/keyring.js';
import { createStoreCrypto } from '../../activities/crypto/seal.js';
import { openTurbopufferStore } from '../../activities/store/turbopuffer-store.js';
import { storeContract } from '../helpers/store-contract.js';
import { startTurbopufferStandin, type TurbopufferStandin } from '../helpers/turbopuffer-standin.js';

let tp: TurbopufferStandin;
before(async () => {
  tp = await startTurbopufferStandin();
});
after(async () => {
  await tp.close();
});

let n = 0;
storeContract('turbopuffer', async () =>
  openTurbopufferStore({
    apiKey: tp.apiKey,
    baseURL: tp.url,
    prefix: `contract${++n}`,
    crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])),
  }),
);
