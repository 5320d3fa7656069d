// AES-256-GCM payload codec: every payload Temporal stores (workflow and activity inputs and results,
// update arguments, memos) is sealed under a key derived from the active master key. Each encrypted
// payload names its encoding and key id in metadata, so keys rotate: old histories still decode.
import type { Payload, PayloadCodec } from '@temporalio/common';
import { createHmac } from 'node:crypto';
import type { Keyring } from '../../activities/crypto/keyring.js';
import { deriveKey, openWith, sealWith } from '../../activities/crypto/seal.js';

export const ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';
const AAD = 'temporal-payload';

/** The plaintext payload inside the envelope: its metadata and data, base64, as JSON. */
function serialise(p: Payload): Buffer {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) if (v) metadata[k] = Buffer.from(v).toString('base64');
  return Buffer.from(JSON.stringify({ metadata, data: p.data ? Buffer.from(p.data).toString('base64') : undefined }));
}

function deserialise(b: Buffer): Payload {
  const v = JSON.parse(b.toString('utf8')) as { metadata: Record<string, string>; data?: string };
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, s] of Object.entries(v.metadata)) metadata[k] = new Uint8Array(Buffer.from(s, 'base64'));
  return { metadata, ...(v.data !== undefined ? { data: new Uint8Array(Buffer.from(v.data, 'base64')) } : {}) };
}

export interface EncryptionCodec extends PayloadCodec {
  readonly keyId: string;
  /** A decode-only token for the Web UI's codec endpoint URL (the UI cannot send an API key header). */
  readonly uiToken: string;
}

export function createEncryptionCodec(keyring: Keyring): EncryptionCodec {
  const keys = new Map<string, Buffer>();
  const keyFor = (id: string): Buffer => {
    let k = keys.get(id);
    if (!k) {
      const master = keyring.byId.get(id);
      if (!master) throw new Error(`payload encrypted under master key "${id}", which is not in the keyring; add it back to VIGIL_MASTER_KEY.`);
      keys.set(id, (k = deriveKey(master, 'temporal-payloads')));
    }
    return k;
  };
  const activeId = keyring.active.id;
  return {
    keyId: activeId,
    uiToken: createHmac('sha256', deriveKey(keyring.index, 'codec-ui-token')).update('ui').digest('base64url').slice(0, 32),
    async encode(payloads) {
      return payloads.map((p) => ({
        metadata: {
          encoding: new TextEncoder().encode(ENCODING),
          [METADATA_ENCRYPTION_KEY_ID]: new TextEncoder().encode(activeId),
        },
        data: new Uint8Array(sealWith(activeId, keyFor(activeId), serialise(p), AAD)),
      }));
    },
    async decode(payloads) {
      return payloads.map((p) => {
        const encoding = p.metadata?.encoding ? Buffer.from(p.metadata.encoding).toString() : undefined;
        if (encoding !== ENCODING) return p; // written before encryption was on, or by another codec
        if (!p.data) throw new Error('an encrypted payload has no data');
        return deserialise(openWith(keyFor, Buffer.from(p.data), AAD));
      });
    },
  };
}
