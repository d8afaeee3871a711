import { afterEach, describe, expect, it } from 'vitest';
import { deliveryLookup, digestLookup } from '../../../jobs/delivery/lookup.js';
import { CommandCore } from '../../../src/commands/command-core.js';
import type { CommandContext, Reply } from '../../../src/commands/types.js';
import { MemoryFeedStateStore } from '../../../src/feeds/memory-feed-state-store.js';
import { ScriptedAnnouncer } from '../../../src/delivery/scripted-announcer.js';
import type { DigestSchedule } from '../../../src/digests/period.js';
import { PostIndex } from '../../../src/search/post-index.js';
import { makePost, makeSubscription, uniquePrefix, waitFor } from '../../helpers/delivery-fixtures.js';
import { startHarness } from '../../helpers/delivery-harness.js';

type Harness = Awaited<ReturnType<typeof startHarness>>;
let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const SCHEDULE: DigestSchedule = { hour: 15, minute: 0, weekday: 1 };
let clock = new Date('2026-12-01T10:00:00Z');
const sub = makeSubscription(1, { createdAt: '2026-11-01T00:00:00.000Z', options: { digest: 'daily' } });
const context: CommandContext = {
  platform: 'console',
  workspaceId: sub.workspaceId,
  channelId: sub.channelId,
  userId: 'u1',
  canManage: false,
};

/** The command core over the harness's stores and queues, as the running bot builds it. */
function commands(h: Harness, posts: ReturnType<typeof makePost>[]) {
  const core = new CommandCore({
    posts: h.posts,
    index: PostIndex.build(posts),
    subscriptions: h.subscriptions,
    feedStates: new MemoryFeedStateStore(),
    queues: { counts: async () => ({}) },
    feeds: [{ name: 'psf', url: 'https://example.org/psf.xml' }],
    pollIntervalMs: 300_000,
    ledger: h.ledger,
    decisions: h.decisions,
    deliveries: deliveryLookup(Object.values(h.deliverQueues)),
    digests: digestLookup(h.digestHistory, h.ledger, SCHEDULE),
    now: () => clock,
  });
  return async (query: string) => {
    const reply: Reply = await core.handle({ name: 'why', query }, context);
    return reply.kind === 'text' ? reply.text : JSON.stringify(reply);
  };
}

describe('/psf why in a digest channel', () => {
  it('says which digest a post is held for and when it is due, then which digest listed it, with a link', async () => {
    const announcer = new ScriptedAnnouncer('console');
    const posts = [makePost(1), makePost(2)];
    harness = await startHarness({
      prefix: uniquePrefix('digest-why'),
      announcers: { console: announcer },
      posts,
      subscriptions: [sub],
      digests: { schedule: SCHEDULE, now: () => clock },
    });
    const h = harness;
    const why = commands(h, posts);
    clock = new Date('2026-12-01T10:00:00Z');
    await h.sink.enqueue([posts[0]!]);
    await waitFor(() => h.idle(), 'announced');
    expect(await why(posts[0]!.title)).toBe(
      `“${posts[0]!.title}”: not announced yet: held for this channel's next daily digest, due 2026-12-01 15:00 UTC.`,
    );

    clock = new Date('2026-12-01T15:00:00Z');
    await h.digestQueue.add('digest', { cadence: 'daily' }, { jobId: 'tick-1' });
    await waitFor(() => h.idle(), 'digest sent');
    clock = new Date('2026-12-01T16:00:00Z');
    await h.sink.enqueue([posts[1]!]);
    await waitFor(() => h.idle(), 'announced');

    expect(await why(posts[0]!.title)).toBe(
      `“${posts[0]!.title}”: announced here in the daily digest of 2026-12-01 15:00 UTC: message ${announcer.digests[0]!.messageId}`,
    );
    expect(await why(posts[1]!.title)).toMatch(
      /held for this channel's next daily digest, due 2026-12-02 15:00 UTC/,
    );
  });
});
