import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../activities/store/sqlite-store.js';
import { storeContract } from './helpers/store-contract.js';

storeContract('sqlite', async () => openSqliteStore(join(mkdtempSync(join(tmpdir(), 'vigil-store-')), 'vigil.db')));
