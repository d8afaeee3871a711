import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackHeaders(signingSecret: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${signature}`,
  };
}

/** A throwaway Ed25519 key pair standing in for a Discord application's; `publicKeyHex` is `DISCORD_PUBLIC_KEY`. */
export interface DiscordSigner {
  publicKeyHex: string;
  /** Headers Discord sends with `body`: Ed25519 over timestamp + body. */
  headers(body: string): Record<string, string>;
}

/** Creates a key pair and signs as Discord does for HTTP interactions. */
export function discordSigner(): DiscordSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // An Ed25519 SPKI DER is a 12-byte header followed by the 32 raw key bytes.
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  return { publicKeyHex, headers: (body) => discordHeaders(privateKey, body) };
}

function discordHeaders(privateKey: KeyObject, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), privateKey).toString('hex'),
    'x-signature-timestamp': timestamp,
  };
}
