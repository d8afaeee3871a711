import { SlackAnnouncer } from '../../adapters/slack/announcer.js';
import { staticBotToken } from '../../adapters/slack/tokens.js';
import { postKey } from '../../src/posts/identity.js';
import { FakeSlack } from '../../tests/fakes/slack/fake-slack.js';
import { MARKETPLACE_LESS } from '../../tests/fakes/slack/history.js';
import { makePost, makeSubscription, waitFor } from '../../tests/helpers/delivery-fixtures.js';
import { startHarness } from '../../tests/helpers/delivery-harness.js';
import { exactly, figure, type Figure } from '../lib/figures.js';
import { benchPrefix } from '../lib/redis.js';

/**
 * Slack's "minute" in this scenario: the fake enforces one history read per window per workspace and 15
 * messages a page (apps outside the Marketplace, PLATFORM-NOTES §9.1), with a 2-second window so a run
 * takes seconds. Settling times are reported in windows, i.e. in minutes under Slack's real limit; the bot's
 * own waits (turn polls, back-off) are not scaled, so the figure errs on the slow side.
 */
const WINDOW_MS = 2_000;
const TOKEN = 'xoxb-bench-tight-look';
/** People's messages in each channel since the lost attempt: 40 (with the bot's own: 3 pages of 15). */
const CHATTER = 40;

/**
 * K channels of one workspace each lose the answer to their first send, then people post 40 messages in each
 * before the retry looks: every look must page through 3 pages of 15 at one read per window, taking turns.
 * Measures the time from the announcement to the last channel's delivery being settled (found, not re-sent).
 */
async function settle(slack: FakeSlack, channels: number): Promise<{ windows: number; duplicates: number }> {
  const ids = Array.from({ length: channels }, (_, i) => `CTIGHT${channels}X${i}`);
  for (const id of ids) slack.channels.set(id, { isMember: true });
  const post = makePost(1);
  const prefix = benchPrefix('tight-look');
  const harness = await startHarness({
    prefix,
    announcers: {
      slack: new SlackAnnouncer({ apiUrl: slack.apiUrl, tokens: staticBotToken(TOKEN), timeoutMs: 15_000 }),
    },
    posts: [post],
    subscriptions: ids.map((channelId) =>
      makeSubscription(0, { platform: 'slack', workspaceId: 'T1', channelId }),
    ),
    slackIntervalMs: 1_000,
    look: { turnWaitMs: 1_000 },
  });
  try {
    for (const _ of ids) slack.cue('chat.postMessage', { lose: true });
    const looks = slack.callsOf('conversations.history').length;
    const release = slack.hold('conversations.history');
    const started = performance.now();
    await harness.sink.enqueue([post]);
    await waitFor(() => slack.callsOf('conversations.history').length > looks, 'the first look', 60_000);
    for (const id of ids) for (let i = 0; i < CHATTER; i++) slack.say(id, `message ${i}`);
    release();
    await waitFor(
      async () => (await harness.ledger.forPost(postKey(post.feed, post.id))).length === channels,
      'every channel to settle',
      600_000,
    );
    const seconds = (performance.now() - started) / 1000;
    const duplicates = ids.reduce(
      (sum, id) => sum + Math.max(0, slack.messages.filter((m) => m.channel === id && !m.user).length - 1),
      0,
    );
    return { windows: (seconds * 1000) / WINDOW_MS, duplicates };
  } finally {
    await harness.close();
  }
}

/** Worst time to settle a lost answer under Slack's tightest history limits, for 1 and 5 channels of a workspace. */
export async function slackTightLook(): Promise<Figure[]> {
  const slack = new FakeSlack();
  await slack.start();
  try {
    slack.tokens.set(TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U1' });
    slack.limitHistory({ ...MARKETPLACE_LESS, windowMs: WINDOW_MS });
    const one = await settle(slack, 1);
    const five = await settle(slack, 5);
    const note = (pages: number) =>
      `${CHATTER} messages since the attempt, ${pages} pages of 15 at 1 read per ${WINDOW_MS / 1000} s window; windows = minutes at Slack's limit`;
    return [
      figure('slack_look_settle_1ch_minutes', one.windows, 'min', { note: note(3), digits: 1 }),
      figure('slack_look_settle_5ch_minutes', five.windows, 'min', { note: note(15), digits: 1 }),
      figure('slack_look_duplicates', one.duplicates + five.duplicates, 'count', { goal: exactly(0) }),
    ];
  } finally {
    await slack.stop();
  }
}
