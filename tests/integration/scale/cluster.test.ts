import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';
import { postSlashCommand } from '../../fakes/slack/sign.js';
import { atomWithEntries, entryTitle, runCli } from '../../helpers/cli.js';
import { startFeedServer, type FeedServer } from '../../helpers/feed-server.js';
import { FIXTURES, readFixture } from '../../helpers/fixtures.js';
import { NO_REDIS_SERVER, startCluster } from '../../helpers/redis-topologies.js';
import { BotProcesses, waitFor, type BotProcess } from '../../helpers/processes.js';

// The whole product on its own three-master Redis Cluster (started here, on free loopback ports, and torn
// down after): poll → announce → deliver to a fake Slack → lookups, the index sync's pub/sub, Bull Board
// and doctor. The shared Redis on 6379 is not used.

const ATOM = readFixture(FIXTURES.bloggerAtom);
const PATH = '/blog/feeds/posts/default';
const TOKEN = 'xoxb-cluster-test';
const SECRET = 'cluster-signing-secret';
const ADMIN = 'cluster-admin-token';
const bots = new BotProcesses();
let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
let fake: FakeSlack | undefined;
let feeds: FeedServer | undefined;

function env(): Record<string, string> {
  return {
    // Only user, password and TLS come from REDIS_URL here; a closed port makes sure 6379 is never used.
    REDIS_URL: 'redis://127.0.0.1:9',
    REDIS_CLUSTER_NODES: cluster!.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    PSF_FEEDS: `psf=${feeds!.url(PATH)}`,
    POLL_INTERVAL: '1s',
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: fake!.apiUrl,
    PSF_SUBSCRIPTIONS: 'slack:T0CLUSTER:C0NEWS',
    ADMIN_TOKEN: ADMIN,
  };
}

beforeAll(async () => {
  if (NO_REDIS_SERVER) return;
  cluster = await startCluster(3);
  fake = new FakeSlack();
  await fake.start();
  fake.tokens.set(TOKEN, { teamId: 'T0CLUSTER', botId: 'B0BOT', botUserId: 'U0BOT' });
  fake.channels.set('C0NEWS', { isMember: true });
  feeds = await startFeedServer({ [PATH]: { kind: 'body', body: ATOM, etag: '"v1"' } });
}, 90_000);

afterAll(async () => {
  await bots.killAll();
  await feeds?.close();
  await fake?.stop();
  await cluster?.stop();
});

describe.skipIf(NO_REDIS_SERVER !== null)(
  NO_REDIS_SERVER ?? 'psf-bot on a Redis Cluster of three masters',
  () => {
    let bot: BotProcess;

    it('polls, announces, delivers to Slack and answers lookups, with every key under the {psf} hash tag', async () => {
      bot = await bots.start('cluster', 'all', env(), 60_000);
      const context = () => bot.stdout() + bot.stderr();
      const polled = () => bot.logs().filter((line) => line.msg === 'polled');
      await waitFor(() => polled().length > 0, 'the first poll', 30_000, context);
      expect(polled()[0]).toMatchObject({ feed: 'psf', status: 200, new: 0, seeded: 25 });

      const title = entryTitle(1);
      feeds!.route(PATH, {
        kind: 'body',
        body: atomWithEntries(ATOM, [{ n: 1, publishedAt: new Date(), tags: ['grants'] }]),
        etag: '"v2"',
      });
      await waitFor(() => fake!.messages.length > 0, 'the Slack announcement', 30_000, context);
      expect(fake!.messages.map((message) => message.channel)).toEqual(['C0NEWS']);
      expect(fake!.messages[0]!.text).toContain(title);

      // The running bot's search index followed the poll through the cluster's pub/sub: a search finds it.
      await waitFor(
        async () => {
          const id = `latest-${Date.now()}`;
          const fields = {
            text: 'latest 1',
            team_id: 'T0CLUSTER',
            channel_id: 'C0NEWS',
            response_url: fake!.responseUrl(id),
          };
          await postSlashCommand(`http://127.0.0.1:${bot.port}/slack/events`, fields, {
            signingSecret: SECRET,
          });
          const reply = await fake!.waitFor(() => fake!.responses.find((response) => response.id === id));
          return JSON.stringify(reply.body).includes(title);
        },
        'the search to find the new post',
        20_000,
        context,
      );

      const ask = await runCli(['ask', 'latest 1'], env());
      expect(ask.code, ask.stderr).toBe(0);
      expect(ask.stdout).toContain(title);

      const board = await fetch(`http://127.0.0.1:${bot.port}/admin/queues/api/queues`, {
        headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}` },
      });
      expect(board.status).toBe(200);
      expect(await board.text()).toContain('deliver-slack');

      // Every key lives in the one slot of the hash tag, so on one master; none escaped the prefix.
      const owners = [];
      for (const node of cluster!.servers) {
        const client = node.client();
        const keys = await client.keys('*');
        client.disconnect();
        if (keys.length > 0) owners.push(keys);
      }
      expect(owners).toHaveLength(1);
      expect(owners[0]!.filter((key) => !key.startsWith('{psf}:'))).toEqual([]);
    }, 120_000);

    it('runs the one-shot commands on the cluster too', async () => {
      const poll = await runCli(['poll', '--once', '--json'], env());
      expect(poll.code, poll.stderr).toBe(0);
      expect(JSON.parse(poll.stdout.trim())).toMatchObject({ feed: 'psf', new: [] });
      const failed = await runCli(['deliveries', 'failed'], env());
      expect(failed.code, failed.stderr).toBe(0);
    }, 60_000);

    it('doctor reports the cluster and checks every master’s eviction policy', async () => {
      const doctor = await runCli(['doctor'], env());
      expect(doctor.stdout).toMatch(/redis: reachable +cluster .* answers \(cluster with 3 masters\)/);
      expect(doctor.stdout).toMatch(/ok +redis: eviction policy +noeviction.*\(all 3 masters\)/);
    }, 60_000);

    it('stops on SIGTERM with exit status 0', async () => {
      const exit = await bot.stop('SIGTERM');
      expect(exit, bot.stdout() + bot.stderr()).toEqual({ code: 0, signal: null });
    }, 60_000);
  },
);
