import { describe, expect, it } from 'vitest';
import {
  announceJobId,
  announceJobSchema,
  channelHash,
  deliverJobId,
  deliverJobOptions,
  deliverJobSchema,
  deliveryNonce,
  RETENTION,
} from '../../../jobs/queues.js';
import { makePost } from '../../helpers/delivery-fixtures.js';

const post = makePost(1);
const channel = { platform: 'discord' as const, workspaceId: '111', channelId: '222' };

describe('deterministic job ids and nonces', () => {
  it('builds the same deliver id for the same post and channel, and never a ":"', () => {
    expect(deliverJobId(post, channel)).toBe(deliverJobId({ ...post }, { ...channel }));
    for (const id of [deliverJobId(post, channel), announceJobId(post)]) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(post.id).toContain(':'); // Blogger ids do; the id must not inherit them
  });

  it('tells posts, channels and platforms apart', () => {
    const ids = new Set([
      deliverJobId(post, channel),
      deliverJobId(makePost(2), channel),
      deliverJobId(post, { ...channel, channelId: '223' }),
      deliverJobId(post, { ...channel, platform: 'slack' }),
      deliverJobId({ ...post, feed: 'insider' }, channel),
    ]);
    expect(ids.size).toBe(5);
    expect(channelHash({ platform: 'slack', workspaceId: 'a:b', channelId: 'c' })).not.toBe(
      channelHash({ platform: 'slack', workspaceId: 'a', channelId: 'b:c' }),
    );
  });

  it('makes a nonce of at most 25 characters, stable per (post, channel)', () => {
    const nonce = deliveryNonce(post, channel);
    expect(nonce.length).toBeLessThanOrEqual(25);
    expect(deliveryNonce(post, channel)).toBe(nonce);
    expect(deliveryNonce(post, { ...channel, channelId: '223' })).not.toBe(nonce);
  });

  it('keeps finished jobs at least 14 days so their ids keep deduplicating', () => {
    expect(RETENTION.removeOnComplete.age).toBeGreaterThanOrEqual(14 * 24 * 3600);
    expect(RETENTION.removeOnFail.age).toBeGreaterThanOrEqual(14 * 24 * 3600);
    expect(deliverJobOptions(8, 1000)).toMatchObject({
      attempts: 8,
      backoff: { type: 'exponential', delay: 1000 },
    });
  });

  it('rejects malformed payloads at the edge', () => {
    const good = { feed: 'psf', postId: 'x', announcedAt: new Date().toISOString() };
    expect(announceJobSchema.safeParse(good).success).toBe(true);
    expect(announceJobSchema.safeParse({ ...good, announcedAt: 'yesterday' }).success).toBe(false);
    expect(
      deliverJobSchema.safeParse({ ...good, platform: 'irc', workspaceId: 'w', channelId: 'c' }).success,
    ).toBe(false);
    expect(
      deliverJobSchema.safeParse({ ...good, platform: 'slack', workspaceId: 'w', channelId: 'c' }).success,
    ).toBe(true);
  });
});
