import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { deliverySafety } from '../../../jobs/delivery/safety.js';
import { deletePrefix, REDIS_URL, runCli, uniquePrefix } from '../../helpers/cli.js';
import { FIXTURES } from '../../helpers/fixtures.js';

// `psf-bot status` reads what the workers keep of each hub channel in Redis: the operator learns that a hub
// fell behind Discord's publish limit, or cannot take posts at all, without opening Discord.

const prefix = uniquePrefix('cli-hub-status');
const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const shell = { REDIS_PREFIX: prefix, PSF_FEEDS: `psf=${FIXTURES.bloggerAtom}` };
const HUB = '740000000000000001';
const TEXT = '740000000000000002';

afterAll(async () => {
  await deletePrefix(redis, prefix);
  await redis.quit();
});

describe('status and hub channels', () => {
  it('says how many posts wait for a hub, when the next can go out, and which hub cannot take posts', async () => {
    const { hubs } = deliverySafety(redis, prefix);
    const now = new Date();
    await hubs.note(HUB, { feed: 'psf', serverId: '740000000000000009', checkedAt: now.toISOString() });
    await hubs.note(TEXT, {
      feed: 'insider',
      problem: 'it is not an announcement channel (type 0)',
      checkedAt: now.toISOString(),
    });
    for (let i = 0; i < 13; i++) await hubs.take(HUB, `psf:post-${i}`, now);

    const result = await runCli(['status', '--json'], shell);
    expect(result.code, result.stderr).toBe(0);
    const reply = JSON.parse(result.stdout) as { kind: string; text: string };
    expect(Object.keys(reply)).toEqual(expect.arrayContaining(['kind', 'text']));
    expect(reply.text).toMatch(
      new RegExp(
        `^Hub channel ${HUB} \\(feed psf\\) is behind: 3 posts wait to be published \\(10 published in the last hour; .*\\); the next can go out in (59|60) minutes \\(\\d{4}-`,
        'm',
      ),
    );
    expect(reply.text).toMatch(
      new RegExp(
        `^Hub channel ${TEXT} \\(feed insider\\): nothing is posted there: it is not an announcement`,
        'm',
      ),
    );
  });
});
