import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { SLACK_BOT_SCOPES } from '../../../adapters/slack/app.js';
import { renderSlackManifest } from '../../../adapters/slack/manifest.js';
import { slackScopeSentence } from '../../../adapters/slack/scopes.js';
import { classifySlackError } from '../../../adapters/slack/errors.js';
import { renderSlackReply } from '../../../adapters/slack/reply.js';
import { revokesBotToken } from '../../../adapters/slack/uninstall.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { blockKitProblems, strayControlSequences } from '../../fakes/slack/block-kit.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { REPO_ROOT } from '../../helpers/fixtures.js';

const platformError = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error } as never);

describe('renderSlackReply', () => {
  const posts = Array.from({ length: 10 }, (_, i) =>
    makePost(i, { title: `<!here> post ${i} & more`, tags: ['<@U1>'] }),
  );

  it('answers privately unless shared, never replacing the original message', () => {
    const reply = { kind: 'posts' as const, heading: 'Latest 10 posts', posts };
    expect(renderSlackReply(reply, { share: false })).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
    });
    expect(renderSlackReply(reply, { share: true })).toMatchObject({
      response_type: 'in_channel',
      replace_original: false,
    });
  });

  it('keeps errors private even when sharing was asked for', () => {
    const body = renderSlackReply({ kind: 'error', message: 'Unknown feed <!channel>' }, { share: true });
    expect(body).toMatchObject({
      response_type: 'ephemeral',
      text: ':warning: Unknown feed &lt;!channel&gt;',
    });
  });

  it('renders ten posts with linked titles within limits, feed text escaped', () => {
    const body = renderSlackReply(
      { kind: 'posts', heading: 'Latest <10>', posts, suggestions: ['grants'] },
      { share: false },
    );
    expect(blockKitProblems(body)).toEqual([]);
    expect(strayControlSequences(body)).toEqual([]);
    expect(JSON.stringify(body.blocks)).toContain(
      '<https://pyfound.blogspot.com/2025/01/post-0.html|&lt;!here&gt; post 0 &amp; more>',
    );
    expect(JSON.stringify(body.blocks)).toContain('Closest tags: grants');
  });

  it('sends text replies as escaped text', () => {
    expect(renderSlackReply({ kind: 'text', text: 'Use `tag <name>`' }, { share: false })).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Use `tag &lt;name&gt;`',
    });
  });
});

describe('classifySlackError', () => {
  it.each(['channel_not_found', 'not_in_channel', 'is_archived', 'account_inactive', 'token_revoked'])(
    '%s is permanent',
    (code) => {
      const error = classifySlackError(platformError(code));
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({ kind: 'permanent', code });
    },
  );

  it.each(['missing_scope', 'no_permission'])(
    'keeps %s transient: it concerns the app or its token, so it cannot disable every subscription',
    (code) => {
      expect(classifySlackError(platformError(code))).toMatchObject({ kind: 'transient', code });
    },
  );

  it.each(['invalid_auth', 'not_authed'])(
    'classifies %s as auth: retried, and never a reason to disable a subscription',
    (code) => {
      expect(classifySlackError(platformError(code))).toMatchObject({ kind: 'auth', code });
    },
  );

  it('scopes a Slack 429 to the workspace, never the whole queue', () => {
    expect(classifySlackError(new webApi.WebAPIRateLimitedError(2))).toMatchObject({ scope: 'workspace' });
  });

  it('turns a 429 into rate_limited with the Retry-After wait in milliseconds', () => {
    expect(classifySlackError(new webApi.WebAPIRateLimitedError(7))).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('treats 5xx and network failures as transient', () => {
    expect(classifySlackError(new webApi.WebAPIHTTPError(503, 'Service Unavailable', {}, ''))).toMatchObject({
      kind: 'transient',
      code: 'http_503',
    });
    expect(classifySlackError(new webApi.WebAPIRequestError(new Error('ECONNREFUSED')))).toMatchObject({
      kind: 'transient',
      code: 'network',
    });
  });
});

describe('manifest.yml', () => {
  const manifest = readFileSync(join(REPO_ROOT, 'manifest.yml'), 'utf8');

  it('is the file `npm run manifest` writes from the one scope list', () => {
    expect(manifest).toBe(renderSlackManifest());
  });

  it('asks for exactly the bot scopes the app installs with, history ones included', () => {
    // Every item under oauth_config.scopes.bot, comment lines skipped, up to the next key.
    const lines = manifest.split('\n');
    const items: string[] = [];
    for (const line of lines.slice(lines.indexOf('    bot:') + 1)) {
      if (/^\s*#/.test(line)) continue;
      const item = /^ {6}- (\S+)\s*(?:#.*)?$/.exec(line);
      if (!item) break;
      items.push(item[1]!);
    }
    expect(items).toEqual([...SLACK_BOT_SCOPES]);
    expect(items).toEqual(expect.arrayContaining(['channels:history', 'groups:history']));
  });

  it("README names every scope, with why, in the list's words", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    const sentence = slackScopeSentence();
    const start = readme.indexOf('The manifest asks for these bot scopes:');
    expect(readme.slice(start, start + sentence.length)).toBe(sentence);
  });

  it('declares /psf at /slack/events and the uninstall events, with Socket Mode and interactivity off', () => {
    expect(manifest).toMatch(/command: \/psf\n\s+url: https:\/\/YOUR-HOST\/slack\/events/);
    expect(manifest).toMatch(/bot_events:\n\s+- app_uninstalled\n\s+- tokens_revoked/);
    expect(manifest).toMatch(/- tokens_revoked\n\s+- app_home_opened\n/);
    expect(manifest).toMatch(/app_home:\n\s+home_tab_enabled: true/);
    expect(manifest).toMatch(/socket_mode_enabled: false/);
    expect(manifest).toMatch(/interactivity:\n\s+is_enabled: false/);
  });
});

describe('revokesBotToken', () => {
  it('is true only when tokens_revoked names bot tokens', () => {
    expect(revokesBotToken({ type: 'tokens_revoked', tokens: { bot: ['U1'] } })).toBe(true);
    expect(revokesBotToken({ type: 'tokens_revoked', tokens: { oauth: ['U1'] } })).toBe(false);
    expect(revokesBotToken({ type: 'tokens_revoked', tokens: { oauth: ['U1'], bot: [] } })).toBe(false);
    expect(revokesBotToken({ type: 'tokens_revoked' })).toBe(false);
  });
});
