import { createHmac } from 'node:crypto';

/**
 * Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

/** The fields Slack sends with a slash command (form-encoded strings, `is_enterprise_install` included). */
export function slashCommandFields(fields: Record<string, string>): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    command: '/psf',
    text: '',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0MEMBER',
    user_name: 'member',
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    trigger_id: '1.2.3',
    response_url: 'http://127.0.0.1:9/unset',
    ...fields,
  };
}

/** How to sign: the real secret and now, unless a test wants a bad signature or an old timestamp. */
export interface SignOptions {
  signingSecret: string;
  timestampSec?: number;
  /** Overrides the computed signature (a forged or corrupted request). */
  signature?: string;
}

/** POSTs a signed body to the app's endpoint the way Slack does. */
export async function postSigned(
  url: string,
  body: string,
  contentType: string,
  options: SignOptions,
): Promise<Response> {
  const timestampSec = options.timestampSec ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestampSec),
      'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestampSec, body),
    },
    body,
  });
}

/** Sends a signed slash command (form-encoded). */
export async function postSlashCommand(
  url: string,
  fields: Record<string, string>,
  options: SignOptions,
): Promise<Response> {
  const body = new URLSearchParams(slashCommandFields(fields)).toString();
  return postSigned(url, body, 'application/x-www-form-urlencoded', options);
}

/** Sends a signed Events API callback (JSON), e.g. `app_uninstalled`. */
export async function postEvent(
  url: string,
  teamId: string,
  event: Record<string, unknown>,
  options: SignOptions,
): Promise<Response> {
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: teamId,
    api_app_id: 'A0FAKE',
    event: { event_ts: '1700000000.000100', ...event },
    type: 'event_callback',
    event_id: `Ev${Math.floor(Math.random() * 1e9)}`,
    event_time: Math.floor(Date.now() / 1000),
  });
  return postSigned(url, body, 'application/json', options);
}
