// One data converter, shared by every Temporal client and worker of a process: payload encryption is on
// whenever a master key exists, which it always does (VIGIL_MASTER_KEY / VIGIL_MASTER_KEY_FILE, else the data
// directory's master.key, generated on first start); only VIGIL_ENCRYPT_PAYLOADS=0 turns it off. Clients
// and workers must agree, so all of them read this.
import type { DataConverter } from '@temporalio/common';
import { loadKeyring, type Keyring } from '../../activities/crypto/keyring.js';
import { createEncryptionCodec, type EncryptionCodec } from './encryption-codec.js';

export interface PayloadEncryption {
  codec: EncryptionCodec;
  dataConverter: DataConverter;
}

/** On unless VIGIL_ENCRYPT_PAYLOADS says off explicitly; a value that is neither is an error, not a guess. */
export function payloadEncryptionEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const flag = (env.VIGIL_ENCRYPT_PAYLOADS ?? '').trim().toLowerCase();
  if (flag === '' || /^(1|true|yes|on)$/.test(flag)) return true;
  if (/^(0|false|no|off)$/.test(flag)) return false;
  throw new Error(`VIGIL_ENCRYPT_PAYLOADS=${env.VIGIL_ENCRYPT_PAYLOADS} is not a boolean; unset it (encryption on) or set it to 0 to turn payload encryption off.`);
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
