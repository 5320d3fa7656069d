// Workers connect through the SDK's native connection; TLS and API key come from the same env as clients.
import { NativeConnection } from '@temporalio/worker';
import { temporalTlsFromEnv } from '../infra/temporal-connection.js';

export async function connectWorker(address: string): Promise<NativeConnection> {
  const { tls, apiKey } = temporalTlsFromEnv();
  return NativeConnection.connect({
    address,
    tls: tls ?? undefined,
    apiKey: typeof apiKey === 'string' ? apiKey : undefined,
  });
}
