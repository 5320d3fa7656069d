// A scan worker laid out on a Vigil data directory (work dir, stat cache) with its own native
// connection; `vigil worker`, `vigil serve` and the CLI's local mode all start theirs this way.
import { join } from 'node:path';
import { loadKeyring } from '../activities/crypto/keyring.js';
import { createStoreCrypto } from '../activities/crypto/seal.js';
import { openDecisionMemory } from '../activities/retrieval/open-decision-memory.js';
import { openGuidance } from '../activities/retrieval/open-guidance.js';
import { privateDir } from '../infra/private-files.js';
import { mark } from '../infra/timings.js';
import { TASK_QUEUE } from '../workflows/definitions.js';
import { connectWorker } from './native-connection.js';
import { createScanWorker, type ScanWorker, type ScanWorkerOptions } from './worker.js';
import { loadTenantSettings, resolveTenantsFile } from '../activities/events/tenant-settings.js';
import { startEventRelays } from './event-relays.js';

export interface DataDirWorker {
  worker: ScanWorker;
  /** Shuts the worker down (if running), waits for it, closes its connection. */
  close(running?: Promise<void>): Promise<void>;
}

export async function createDataDirWorker(
  opts: {
    address: string;
    dataDir: string;
    /** Relay the outbox to the tenants' webhooks while the worker runs (`vigil worker`, `vigil serve`). */
    relayEvents?: boolean;
  } & Omit<ScanWorkerOptions, 'connection' | 'workDir'>,
): Promise<DataDirWorker> {
  const { address, dataDir, relayEvents, ...rest } = opts;
  // Per-tenant event settings (decision comments, webhooks) from the tenants file beside the keys file.
  const settings = loadTenantSettings(resolveTenantsFile(dataDir), (err) => console.error(`vigil: tenants file not reloaded: ${err.message}`));
  const workDir = join(dataDir, 'work');
  privateDir(workDir); // clones of scanned repositories live here while a snapshot is taken
  // Decision memory beside the store, under the same keyring. Checked now, so a missing or corrupt model is
  // said once at start; the worker then runs scans without it.
  const decisions = rest.retrieval
    ? undefined
    : await openDecisionMemory({ dataDir, crypto: createStoreCrypto(loadKeyring({ dataDir, generate: true })!) });
  if (decisions?.unavailable) console.error(`vigil: warning: ${decisions.unavailable}`);
  // Guidance shares decision memory's embedder (one model in memory) and is off when it is.
  const guidance = rest.guidance || !decisions?.memory ? undefined : openGuidance({ embedder: decisions.memory.embedder });
  if (guidance?.unavailable) console.error(`vigil: warning: ${guidance.unavailable}`);
  const connection = await connectWorker(address);
  const worker = await createScanWorker({
    taskQueue: TASK_QUEUE,
    statCacheFile: join(dataDir, 'statcache.db'),
    tenantSettings: settings,
    ...(decisions?.memory ? { retrieval: decisions.memory } : {}),
    ...(guidance?.index ? { guidance: guidance.index } : {}),
    ...(decisions?.unavailable ? { retrievalUnavailable: decisions.unavailable } : {}),
    ...rest,
    connection,
    workDir,
  });
  mark('worker.created');
  const relays = relayEvents ? startEventRelays({ outbox: opts.store, settings }) : undefined;
  return {
    worker,
    async close(running) {
      worker.shutdown();
      await running?.catch(() => {});
      await relays?.stop();
      await connection.close();
      await guidance?.index?.close();
      await decisions?.memory?.close();
    },
  };
}
