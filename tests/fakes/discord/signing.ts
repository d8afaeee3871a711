import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A throwaway Ed25519 key pair standing in for the application's key; `publicKeyHex` is `DISCORD_PUBLIC_KEY`. */
export interface TestSigner {
  publicKeyHex: string;
  /** The headers Discord would send with this exact body. */
  headers(
    body: string,
    timestamp?: string,
  ): { 'x-signature-ed25519': string; 'x-signature-timestamp': string };
}

/** Creates a key pair and a signer for HTTP interaction tests. */
export function createTestSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // The SPKI DER of an Ed25519 key is a 12-byte header followed by the 32 raw key bytes.
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  return { publicKeyHex, headers: (body, timestamp) => signedHeaders(privateKey, body, timestamp) };
}

function signedHeaders(
  privateKey: KeyObject,
  body: string,
  timestamp = String(Math.floor(Date.now() / 1000)),
) {
  const signature = sign(null, Buffer.from(timestamp + body, 'utf8'), privateKey).toString('hex');
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp };
}
