// One data converter, shared by every Temporal client and worker of a process: payload encryption is
// on when a master key is configured (VIGIL_MASTER_KEY / VIGIL_MASTER_KEY_FILE) or VIGIL_ENCRYPT_PAYLOADS=1,
// and off with VIGIL_ENCRYPT_PAYLOADS=0. Clients and workers must agree, so all of them read this.
import type { DataConverter } from '@temporalio/common';
import { loadKeyring, masterKeyConfigured, type Keyring } from '../../activities/crypto/keyring.js';
import { createEncryptionCodec, type EncryptionCodec } from './encryption-codec.js';

export interface PayloadEncryption {
  codec: EncryptionCodec;
  dataConverter: DataConverter;
}

export function payloadEncryptionEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = env.VIGIL_ENCRYPT_PAYLOADS;
  if (flag === '0' || flag === 'false') return false;
  if (flag === '1' || flag === 'true') return true;
  return masterKeyConfigured(env);
}

const memo = new WeakMap<Keyring, PayloadEncryption>();

/** The converter for a keyring, built once per keyring. */
export function encryptedDataConverter(keyring: Keyring): PayloadEncryption {
  let pe = memo.get(keyring);
  if (!pe) {
    const codec = createEncryptionCodec(keyring);
    pe = { codec, dataConverter: { payloadCodecs: [codec] } };
    memo.set(keyring, pe);
  }
  return pe;
}

let fromEnv: { key: string; value: PayloadEncryption | undefined } | undefined;

/** Payload encryption as configured, or undefined when it is off. Memoized per configuration. */
export function payloadEncryptionFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): PayloadEncryption | undefined {
  const key = [dataDir, env.VIGIL_ENCRYPT_PAYLOADS, env.VIGIL_MASTER_KEY, env.VIGIL_MASTER_KEY_FILE].join('\0');
  if (fromEnv?.key === key) return fromEnv.value;
  const value = payloadEncryptionEnabled(env) ? encryptedDataConverter(loadKeyring({ env, dataDir, generate: true })!) : undefined;
  fromEnv = { key, value };
  return value;
}
