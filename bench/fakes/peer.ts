// The network peers of every bench scenario in one child process, so their CPU is not the product's:
// the limited Discord and Slack APIs, a feed host, and a control server the bench drives over HTTP.
// Started by bench/lib/peer.ts; sends its URLs over IPC once listening.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFeedServer, type FeedServer } from '../../tests/helpers/feed-server.js';
import { archivePage, FIXTURES, readFixture } from '../../tests/helpers/fixtures.js';
import { LimitedDiscord } from './limited-discord.js';
import { LimitedSlack } from './limited-slack.js';

/** The URLs the peer sends its parent. */
export interface PeerUrls {
  /** `DISCORD_API_URL`. */
  discordApi: string;
  /** `SLACK_API_URL`. */
  slackApi: string;
  /** Origin of the feed host: `/fixed`, `/changing`, `/page150`, `/archive`, `/psf` + `/feeds/posts/default`. */
  feeds: string;
  /** Control: `GET /<discord|slack>/stats`, `POST /<discord|slack>/reset`, `POST /flip/<changing|page150>`. */
  control: string;
}

/** Two versions of a feed whose first entry's title differs, served in turn. */
function variants(xml: string): [string, string] {
  const end = xml.indexOf('</title>', xml.indexOf('<entry>'));
  return [xml, `${xml.slice(0, end)} (edited)${xml.slice(end)}`];
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<Server> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  // Many keep-alive connections from many workers: no per-server connection limits get in the way.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const origin = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function flipper(feeds: FeedServer, path: string, xml: string): () => void {
  const [first, second] = variants(xml);
  let turn = 0;
  const flip = () => {
    turn += 1;
    feeds.route(path, { kind: 'body', body: turn % 2 === 0 ? first : second });
  };
  flip();
  return flip;
}

const discord = new LimitedDiscord();
const slack = new LimitedSlack();
const atom = readFixture(FIXTURES.bloggerAtom);
const feeds = await startFeedServer({
  '/fixed/feeds/posts/default': { kind: 'body', body: atom, etag: '"fixed"' },
  '/psf/feeds/posts/default': { kind: 'body', body: atom, etag: '"psf"' },
  '/archive/feeds/posts/default': { kind: 'archive' },
});
const flips: Record<string, () => void> = {
  changing: flipper(feeds, '/changing/feeds/posts/default', atom),
  page150: flipper(feeds, '/page150/feeds/posts/default', readFixture(archivePage(1))),
};
const discordServer = await listen((req, res) => discord.handle(req, res));
const slackServer = await listen((req, res) => slack.handle(req, res));
const control = await listen(async (req, res) => {
  const [, what, action] = (req.url ?? '').split('/');
  const fake = what === 'discord' ? discord : what === 'slack' ? slack : undefined;
  let body: unknown = { ok: true };
  if (fake && action === 'stats') body = fake.recorder.stats;
  else if (fake && action === 'reset') fake.reset();
  else if (what === 'flip' && action && flips[action]) flips[action]();
  else body = { error: `unknown control ${req.url}` };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});

const urls: PeerUrls = {
  discordApi: `${origin(discordServer)}/api`,
  slackApi: `${origin(slackServer)}/api/`,
  feeds: feeds.origin,
  control: origin(control),
};
process.send?.(urls);
process.on('disconnect', () => process.exit(0));
