import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { keyringFromKeys } from '../activities/crypto/keyring.js';
import { createStoreCrypto } from '../activities/crypto/seal.js';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import { storeContract } from './helpers/store-contract.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'vigil.db');
storeContract('sqlite', async () => openSqliteStore(file()));
storeContract('sqlite (encrypted)', async () => openSqliteStore(file(), { crypto: createStoreCrypto(keyringFromKeys([randomBytes(32)])) }));
