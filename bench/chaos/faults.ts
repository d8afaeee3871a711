import type { CuedResponse, RecordedRequest } from '../../tests/fakes/discord/fake-rest.js';
import type { FakeCall, FakeCue } from '../../tests/fakes/slack/fake-slack.js';
import { waitFor } from '../../tests/helpers/processes.js';
import type { World } from './world.js';

/** How long the timed faults last: the full run's, or the short form's. */
export interface FaultTiming {
  outageMs: number;
  stormMs: number;
  noisyMs: number;
}

/** What a fault can do besides the world: wait for the runner's publishing, or publish itself. */
export interface FaultContext {
  /** Resolves once post `n` (or the last one) has been published by the runner. */
  published(n: number): Promise<void>;
  /** How many posts a run publishes. */
  posts: number;
}

/** One fault, run alongside the runner publishing one post every interval (unless it publishes itself). */
export interface Fault {
  name: string;
  ownsPublishing?: boolean;
  run(world: World, timing: FaultTiming, context: FaultContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isSend = (request: RecordedRequest) =>
  request.method === 'POST' && /^\/channels\/\d+\/messages$/.test(request.path);
const isPost = (call: FakeCall) => call.method === 'chat.postMessage';

/** Sets both fakes' interceptors for `ms`, then clears them. */
async function during(
  world: World,
  ms: number,
  discord: (request: RecordedRequest) => CuedResponse | null,
  slack: (call: FakeCall) => FakeCue | null,
): Promise<void> {
  world.discord.rest.intercept = discord;
  world.slack.intercept = slack;
  await sleep(ms);
  world.discord.rest.intercept = null;
  world.slack.intercept = null;
}

const HTML_404: CuedResponse = {
  status: 404,
  raw: '<html><body><h1>404 Not Found</h1>nginx</body></html>',
  headers: { 'content-type': 'text/html' },
};
/** What a wrong `DISCORD_API_URL` (or a proxy passing Discord's own answer) gets: a generic route 404. */
const ROUTE_404: CuedResponse = { status: 404, body: { message: '404: Not Found', code: 0 } };

export const FAULTS: Fault[] = [
  { name: 'none', run: async () => undefined },
  {
    name: 'worker SIGKILLs',
    async run(world, _timing, { published }) {
      await published(1);
      await sleep(300);
      await world.killWorker(0);
      await published(2);
      await sleep(200);
      await world.killWorker(1);
    },
  },
  {
    name: 'Redis restart',
    async run(world, _timing, { published }) {
      await published(1);
      await sleep(500);
      await world.redis.kill();
      await sleep(1_000);
      await world.redis.up();
    },
  },
  {
    name: 'Redis flush',
    ownsPublishing: true,
    async run(world, _timing, { posts }) {
      // Posts published before the flush are delivered first; the flush then loses every key, and the posts
      // published after it must still arrive, once, while the earlier ones are not announced again.
      const before = Math.max(1, Math.floor(posts / 2));
      for (let n = 1; n <= before; n++) {
        world.publish(n);
        await sleep(1_200);
      }
      await until(
        () => world.seen().count.size >= before * world.targets.length,
        'posts before the flush',
        120_000,
      );
      await world.redis.flush();
      await until(
        () => world.poller.logs().some((line) => /Redis lost its data/.test(String(line.msg))),
        'the poller to notice the flush',
        30_000,
      );
      const polls = world.polls();
      await until(() => world.polls() >= polls + 2, 'polling after the flush', 30_000);
      for (let n = before + 1; n <= posts; n++) {
        world.publish(n);
        await sleep(1_200);
      }
    },
  },
  {
    name: 'proxy outage (HTML/route 404s)',
    async run(world, timing, { published }) {
      await published(1);
      let i = 0;
      await during(
        world,
        timing.outageMs,
        () => (i++ % 2 === 0 ? HTML_404 : ROUTE_404),
        () => ({ status: 404, html: true }),
      );
    },
  },
  {
    name: 'Slack answers lost (10%)',
    async run(world, timing, { published }) {
      world.slack.intercept = (call) => (isPost(call) && Math.random() < 0.1 ? { lose: true } : null);
      await published(Number.POSITIVE_INFINITY);
      await sleep(timing.stormMs);
      world.slack.intercept = null;
    },
  },
  {
    name: '5xx storm',
    async run(world, timing, { published }) {
      await published(1);
      await during(
        world,
        timing.stormMs,
        (request) => (isSend(request) && Math.random() < 0.5 ? { status: 503, raw: 'upstream' } : null),
        (call) => (isPost(call) && Math.random() < 0.5 ? { status: 502 } : null),
      );
    },
  },
  {
    name: 'one channel 429s every time',
    async run(world, timing) {
      const noisy = world.targets.find((target) => target.platform === 'discord')!.channelId;
      const path = `/channels/${noisy}/messages`;
      world.discord.rest.intercept = (request) =>
        isSend(request) && request.path === path
          ? {
              status: 429,
              headers: { 'retry-after': '1', 'x-ratelimit-scope': 'user' },
              body: { message: 'You are being rate limited.', retry_after: 1, global: false },
            }
          : null;
      await sleep(timing.noisyMs);
      world.discord.rest.intercept = null;
    },
  },
];

/** Waits until `check` holds, up to `ms`. */
export function until(check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  return waitFor(check, what, ms);
}
