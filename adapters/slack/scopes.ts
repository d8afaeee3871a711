/**
 * The one list of bot scopes psf-bot asks Slack for, and why. The OAuth install (`/slack/install`),
 * `manifest.yml` (written from it by `npm run manifest`), README's scope sentence and `doctor` all come from
 * here; tests hold them equal.
 * https://docs.slack.dev/reference/scopes
 */
export interface SlackScope {
  scope: string;
  /** Why the bot needs it, as README says; scopes next to each other with the same reason share it. */
  why?: string;
}

export const SLACK_SCOPES: readonly SlackScope[] = [
  { scope: 'commands' },
  { scope: 'chat:write' },
  { scope: 'chat:write.public', why: 'post in public channels without being invited' },
  { scope: 'users:read', why: 'to check who is a workspace admin' },
  { scope: 'channels:read', why: 'to check a channel before subscribing' },
  { scope: 'groups:read', why: 'to check a channel before subscribing' },
  { scope: 'usergroups:read', why: 'to find the user group of `mention @group`' },
  {
    scope: 'channels:history',
    why: 'before re-sending an announcement whose answer was lost, read the channel for it; see [What delivery guarantees](#what-delivery-guarantees)',
  },
  {
    scope: 'groups:history',
    why: 'before re-sending an announcement whose answer was lost, read the channel for it; see [What delivery guarantees](#what-delivery-guarantees)',
  },
];

/** The scope names, in order: what the OAuth install asks for. */
export const SLACK_BOT_SCOPES: readonly string[] = SLACK_SCOPES.map(({ scope }) => scope);

/** The scopes the look before a re-send needs (public and private channels' history). */
export const SLACK_HISTORY_SCOPES: readonly string[] = ['channels:history', 'groups:history'];

/**
 * README's sentence naming every scope and why: "`a`, `b` (why), `c` and `d` (shared why)".
 */
export function slackScopeSentence(): string {
  const groups: { scopes: string[]; why: string | undefined }[] = [];
  for (const { scope, why } of SLACK_SCOPES) {
    const last = groups[groups.length - 1];
    if (last && why !== undefined && last.why === why) last.scopes.push(scope);
    else groups.push({ scopes: [scope], why });
  }
  const items = groups.map(
    ({ scopes, why }) =>
      scopes.map((scope) => `\`${scope}\``).join(' and ') + (why === undefined ? '' : ` (${why})`),
  );
  return `The manifest asks for these bot scopes: ${items.join(', ')}.`;
}

/** The scopes of `wanted` a token was not granted (`granted`: Slack's `x-oauth-scopes` header, split). */
export function missingScopes(
  granted: readonly string[],
  wanted: readonly string[] = SLACK_BOT_SCOPES,
): string[] {
  const have = new Set(granted.map((scope) => scope.trim()));
  return wanted.filter((scope) => !have.has(scope));
}
