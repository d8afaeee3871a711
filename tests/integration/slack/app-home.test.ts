import { afterEach, describe, expect, it } from 'vitest';
import type { Subscription } from '../../../src/subscriptions/subscription.js';
import { homeViewProblems, strayInView, type SlackView } from '../../fakes/slack/block-kit.js';
import { postEvent } from '../../fakes/slack/sign.js';
import { makePost } from '../../helpers/delivery-fixtures.js';
import { SIGNING_SECRET, TEAM, startSlackHarness, type SlackHarness } from './slack-harness.js';

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const sub = (channelId: string, overrides: Partial<Subscription> = {}): Subscription => ({
  platform: 'slack',
  workspaceId: TEAM,
  channelId,
  feeds: [],
  tags: [],
  options: {},
  createdBy: 'U0ADMIN',
  createdAt: '2026-01-01T00:00:00.000Z',
  disabledReason: null,
  disabledAt: null,
  ...overrides,
});

/** Opens the app's Home tab as `user`, the way Slack reports it, and waits for the published view. */
async function openHome(harness: SlackHarness, user: string): Promise<SlackView> {
  const before = harness.fake.views.length;
  const response = await postEvent(
    harness.eventsUrl,
    TEAM,
    { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' },
    { signingSecret: SIGNING_SECRET },
  );
  expect(response.status).toBe(200);
  const published = await harness.fake.waitFor(() => harness.fake.views[before]);
  expect(published.userId).toBe(user);
  return published.view;
}

/** Every mrkdwn and plain text of a view, one string. */
const textOf = (view: SlackView) => JSON.stringify(view.blocks);

describe('the Slack App Home tab', () => {
  it('shows anyone the five newest posts, linked with summaries, and how to subscribe', async () => {
    h = await startSlackHarness();
    h.fake.users.set('U0MEMBER', {});
    const view = await openHome(h, 'U0MEMBER');
    expect(homeViewProblems(view)).toEqual([]);
    expect(strayInView(view)).toEqual([]);
    const newest = [...h.posts]
      .sort((a, b) => Date.parse(b.publishedAt!) - Date.parse(a.publishedAt!))
      .slice(0, 6);
    const text = textOf(view);
    for (const post of newest.slice(0, 5)) {
      expect(text).toContain(`<${post.url}|`);
      expect(text).toContain(JSON.stringify(post.summary.slice(0, 40)).slice(1, -1));
    }
    expect(text).not.toContain(`<${newest[5]!.url}|`);
    expect(text).toContain('/psf subscribe digest daily');
    expect(text).toContain('Feeds: psf (PSF blog).');
    expect(text).toContain('Workspace admins see here which channels get announcements');
    expect(h.fake.callsOf('views.publish')[0]?.token).toBe('xoxb-fake-single');
  });

  it('shows an admin this workspace’s subscriptions and their state, and is current each time it opens', async () => {
    h = await startSlackHarness();
    h.fake.users.set('U0ADMIN', { isAdmin: true });
    await h.subscriptions.put(
      sub('C0DIGEST', { feeds: ['psf'], tags: ['grants'], options: { digest: 'daily' } }),
    );
    await h.subscriptions.put(
      sub('C0GONE', { disabledReason: 'channel_not_found: gone', disabledAt: '2026-11-30T10:00:00.000Z' }),
    );
    await h.subscriptions.put({ ...sub('C0ELSEWHERE'), workspaceId: 'T0OTHER' });
    const first = textOf(await openHome(h, 'U0ADMIN'));
    expect(first).toContain(
      '• <#C0DIGEST>: posts from psf tagged grants, as one daily digest message. active',
    );
    expect(first).toContain(
      '• <#C0GONE>: posts from every feed. :warning: *disabled* since 2026-11-30T10:00:00.000Z: channel_not_found: gone',
    );
    expect(first).not.toContain('C0ELSEWHERE');

    const fresh = makePost(99, {
      title: 'Fresh news',
      url: 'https://pyfound.blogspot.com/2026/12/fresh.html',
      publishedAt: '2026-12-01T10:00:00.000Z',
    });
    await h.store.save([fresh]);
    await h.subscriptions.remove(sub('C0GONE'));
    const second = await openHome(h, 'U0ADMIN');
    expect(homeViewProblems(second)).toEqual([]);
    expect(textOf(second)).toContain('<https://pyfound.blogspot.com/2026/12/fresh.html|Fresh news>');
    expect(textOf(second)).not.toContain('C0GONE');
    expect(h.fake.views).toHaveLength(2);
  });

  it('publishes nothing for the Messages tab', async () => {
    h = await startSlackHarness();
    const response = await postEvent(
      h.eventsUrl,
      TEAM,
      { type: 'app_home_opened', user: 'U0MEMBER', channel: 'D0HOME', tab: 'messages' },
      { signingSecret: SIGNING_SECRET },
    );
    expect(response.status).toBe(200);
    await openHome(h, 'U0MEMBER');
    expect(h.fake.views).toHaveLength(1);
  });
});
