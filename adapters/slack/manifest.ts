import { SLACK_BOT_SCOPES } from './scopes.js';

/** The bot scope lines of the manifest, from the one list (`scopes.ts`). */
function scopeLines(): string {
  return SLACK_BOT_SCOPES.map((scope) => `      - ${scope}\n`).join('');
}

/**
 * `manifest.yml`, the Slack app manifest operators paste when creating the app. Written by `npm run manifest`
 * from this function, so its bot scopes are the ones the OAuth install asks for; a test holds the file equal.
 * https://docs.slack.dev/reference/app-manifest
 */
export function renderSlackManifest(): string {
  return `# Slack app manifest for psf-bot: paste it at https://api.slack.com/apps?new_app=1 ("From a manifest")
# after replacing YOUR-HOST with the public host name of your psf-bot (HTTP mode).
# Reference: https://docs.slack.dev/reference/app-manifest
# Written by \`npm run manifest\` from adapters/slack/manifest.ts and scopes.ts: change those, not this file.
# Socket Mode instead: set socket_mode_enabled to true, delete both \`url\`/\`request_url\` lines and
# \`redirect_urls\`, then create an app-level token with connections:write (SLACK_APP_TOKEN).
_metadata:
  major_version: 2
  minor_version: 1
display_information:
  name: PSF News
  description: Python Software Foundation news in your channels, and /psf lookups of the PSF blog.
  background_color: '#306998'
features:
  app_home:
    home_tab_enabled: true
    messages_tab_enabled: false
  bot_user:
    display_name: psf
    always_online: false
  slash_commands:
    - command: /psf
      url: https://YOUR-HOST/slack/events
      description: 'PSF blog: latest posts, tags, search, channel announcements'
      usage_hint: 'latest [count] | tag <tag> | search <words> | subscribe [feed] [tag, -tag] [mention @group] | why <post> | help'
      should_escape: false
oauth_config:
  # Used only in multi-workspace mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET).
  redirect_urls:
    - https://YOUR-HOST/slack/oauth_redirect
  # The one scope list (adapters/slack/scopes.ts): README says why each is needed.
  scopes:
    bot:
${scopeLines()}settings:
  event_subscriptions:
    request_url: https://YOUR-HOST/slack/events
    bot_events:
      - app_uninstalled
      - tokens_revoked
      - app_home_opened
  interactivity:
    is_enabled: false
  org_deploy_enabled: false
  socket_mode_enabled: false
  token_rotation_enabled: false
`;
}
