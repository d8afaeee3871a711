import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { doctorPassed, renderDoctorReport, runDoctor, type DoctorCheck } from '../../../jobs/doctor/index.js';
import {
  APP_ID,
  FIXTURE,
  GOOD,
  OLD_INSTALLS,
  fakePeers,
  startRedis,
  storeOf,
  subscription,
} from './doctor-peers.js';
import { testRedisOptions, testRedisWhere } from '../../helpers/test-redis.js';

const byName = (checks: DoctorCheck[], name: string) => {
  const found = checks.find((entry) => entry.check === name);
  if (!found) throw new Error(`no check "${name}" in:\n${renderDoctorReport(checks)}`);
  return found;
};

let server: Server;
let base: string;
let closedPort: number;
let dir: string;
const redisServers: ChildProcess[] = [];
let goodRedis: string;
let badRedis: string;

beforeAll(async () => {
  server = createServer(fakePeers);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const spare = createServer();
  await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
  closedPort = (spare.address() as AddressInfo).port;
  await new Promise((resolve) => spare.close(resolve));
  dir = mkdtempSync(join(tmpdir(), `test-ops-doctor-${randomBytes(3).toString('hex')}-`));
  const good = await startRedis(dir, 'good', ['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']);
  const bad = await startRedis(dir, 'bad', [
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'allkeys-lru',
  ]);
  redisServers.push(good.child, bad.child);
  goodRedis = good.path;
  badRedis = bad.path;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const child of redisServers) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('psf-bot doctor', () => {
  it('passes everything on a well-configured deployment and says what it saw', async () => {
    const config = loadConfig({
      PSF_FEEDS: `psf=${base}/feed.xml,local=${FIXTURE}`,
      DISCORD_TOKEN: GOOD.discord,
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: `${base}/api`,
      SLACK_BOT_TOKEN: GOOD.slack,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: `${base}/slack/api/`,
      PSF_SUBSCRIPTIONS: 'discord:G1:C-visible,slack:T1:C-member',
    });
    const checks = await runDoctor({ config, redis: { options: { path: goodRedis }, where: 'good redis' } });
    expect(
      checks.filter((entry) => !entry.ok),
      renderDoctorReport(checks),
    ).toEqual([]);
    expect(doctorPassed(checks)).toBe(true);
    expect(checks.map((entry) => entry.check)).toEqual([
      'redis: reachable',
      'redis: version',
      'redis: persistence',
      'redis: eviction policy',
      'feed psf',
      'feed local',
      'discord: token',
      'discord: application',
      'slack: token',
      'discord: channel C-visible (G1)',
      'slack: channel C-member (T1)',
    ]);
    expect(byName(checks, 'feed psf').detail).toMatch(/: 25 posts, newest "/);
    expect(byName(checks, 'discord: token').detail).toBe(`authenticated as bot psf-bot (${APP_ID})`);
    expect(byName(checks, 'slack: token').detail).toBe('authenticated as @psf in PSF (T1)');
    expect(renderDoctorReport(checks).split('\n').at(-1)).toBe('all 11 checks passed');
  });

  it('fails persistence (in production) and eviction on a Redis without AOF or snapshots and with allkeys-lru', async () => {
    const config = loadConfig({ PSF_FEEDS: `psf=${FIXTURE}`, NODE_ENV: 'production' });
    const checks = await runDoctor({ config, redis: { options: { path: badRedis }, where: 'bad redis' } });
    expect(byName(checks, 'redis: reachable').ok).toBe(true);
    expect(byName(checks, 'redis: persistence')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('NODE_ENV=production'),
      fix: expect.stringContaining('appendonly yes'),
    });
    expect(byName(checks, 'redis: eviction policy')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('allkeys-lru'),
      fix: expect.stringContaining('noeviction'),
    });
    expect(byName(checks, 'platforms').ok).toBe(true);
    expect(doctorPassed(checks)).toBe(false);
  });

  it('only warns about a Redis without persistence on a local run (no NODE_ENV=production)', async () => {
    const config = loadConfig({ PSF_FEEDS: `psf=${FIXTURE}` });
    const checks = await runDoctor({ config, redis: { options: { path: badRedis }, where: 'bad redis' } });
    expect(byName(checks, 'redis: persistence')).toMatchObject({
      ok: true,
      mark: 'warn',
      detail: expect.stringContaining('not for production'),
      fix: expect.stringContaining('appendonly yes'),
    });
    const report = renderDoctorReport(checks);
    expect(report).toMatch(/^WARN redis: persistence /m);
    // The eviction policy still fails: the summary counts it, and the warning apart.
    expect(report.split('\n').at(-1)).toBe('1 of 7 checks failed (1 warning): see "fix:" above');
  });

  it('reports Redis unreachable in one line, and still checks feeds', async () => {
    const config = loadConfig({ PSF_FEEDS: `psf=${FIXTURE}` });
    const checks = await runDoctor({
      config,
      redis: { options: { host: '127.0.0.1', port: closedPort }, where: `127.0.0.1:${closedPort}` },
      timeoutMs: 2_000,
    });
    expect(checks.filter((entry) => entry.check.startsWith('redis'))).toEqual([
      {
        check: 'redis: reachable',
        ok: false,
        detail: expect.stringMatching(/ECONNREFUSED/),
        fix: expect.stringContaining('REDIS_URL'),
      },
    ]);
    expect(byName(checks, 'feed psf').ok).toBe(true);
  });

  it('checks the shared test Redis too', async () => {
    const config = loadConfig({ PSF_FEEDS: `psf=${FIXTURE}` });
    const checks = await runDoctor({
      config,
      redis: { options: testRedisOptions(), where: testRedisWhere() },
    });
    expect(byName(checks, 'redis: reachable').ok).toBe(true);
    expect(byName(checks, 'redis: version').detail).toMatch(/^Redis \d+\.\d+/);
  });

  it('names each bad feed with what to fix: unreachable, 404, not a feed, no posts, missing file', async () => {
    const config = loadConfig({
      PSF_FEEDS: [
        `down=http://127.0.0.1:${closedPort}/feed.xml`,
        `gone=${base}/missing.xml`,
        `html=${base}/blog.html`,
        `empty=${base}/empty.xml`,
        `nofile=${join(dir, 'nope.xml')}`,
      ].join(','),
    });
    const checks = await runDoctor({ config, redis: { options: { path: goodRedis }, where: 'good redis' } });
    expect(byName(checks, 'feed down')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/connection refused \(ECONNREFUSED\)/),
      fix: expect.stringContaining('check the port in PSF_FEEDS'),
    });
    expect(byName(checks, 'feed gone')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('404'),
      fix: expect.stringContaining('PSF_FEEDS'),
    });
    expect(byName(checks, 'feed html')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('RSS or Atom'),
    });
    expect(byName(checks, 'feed empty')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('no posts'),
    });
    expect(byName(checks, 'feed nofile')).toMatchObject({ ok: false, fix: expect.stringContaining('path') });
  });

  it('fails bad tokens with what to do, and does not probe their channels one by one', async () => {
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURE}`,
      DISCORD_TOKEN: 'stale-token',
      DISCORD_APPLICATION_ID: APP_ID,
      DISCORD_API_URL: `${base}/api`,
      SLACK_BOT_TOKEN: 'xoxb-revoked',
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: `${base}/slack/api`,
      PSF_SUBSCRIPTIONS: 'discord:G1:C-visible,slack:T1:C-member',
    });
    const checks = await runDoctor({ config, redis: { options: { path: goodRedis }, where: 'good redis' } });
    expect(byName(checks, 'discord: token')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('401'),
      fix: expect.stringContaining('Reset Token'),
    });
    expect(byName(checks, 'slack: token')).toMatchObject({
      ok: false,
      detail: 'auth.test failed: invalid_auth',
      fix: expect.stringContaining('reinstall'),
    });
    // Not a second failure: whether the channel works is unknown until the token does.
    expect(byName(checks, 'discord: channels')).toMatchObject({
      ok: true,
      mark: 'unknown',
      detail: 'unknown: 1 subscribed channel not checked: the discord token does not work',
      fix: expect.stringContaining('fix discord: token first'),
    });
    expect(checks.some((entry) => entry.check.startsWith('discord: channel C-'))).toBe(false);
  });

  it('names the scopes a Slack token lacks from the one scope list, and says to reinstall', async () => {
    const check = async (token: string) => {
      const config = loadConfig({
        PSF_FEEDS: `psf=${FIXTURE}`,
        SLACK_BOT_TOKEN: token,
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: `${base}/slack/api`,
      });
      const checks = await runDoctor({
        config,
        redis: { options: { path: goodRedis }, where: 'good redis' },
      });
      return byName(checks, 'slack: token');
    };
    expect(Object.keys(OLD_INSTALLS)).toHaveLength(2);
    // Without the history scopes the bot works, but a retried delivery cannot look first: a warning.
    expect(await check('xoxb-no-history')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('the token lacks channels:history, groups:history'),
      fix: expect.stringMatching(/^add channels:history, groups:history .*reinstall the app/),
    });
    expect(await check('xoxb-no-usergroups')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('lacks usergroups:read, channels:history, groups:history'),
      fix: expect.stringContaining('reinstall the app'),
    });
  });

  it('tells which subscribed channels the bot cannot reach and how to fix each', async () => {
    const config = loadConfig({
      PSF_FEEDS: `psf=${FIXTURE}`,
      DISCORD_TOKEN: GOOD.discord,
      DISCORD_APPLICATION_ID: '999',
      DISCORD_API_URL: `${base}/api/`,
      SLACK_BOT_TOKEN: GOOD.slack,
      SLACK_SIGNING_SECRET: 'secret',
      SLACK_API_URL: `${base}/slack/api/`,
    });
    const subscriptions = storeOf([
      subscription('discord', 'G1', 'C-visible'),
      subscription('discord', 'G1', 'C-hidden'),
      subscription('discord', 'G1', 'C-deleted'),
      { ...subscription('discord', 'G2', 'C-threads'), options: { thread: true } },
      { ...subscription('discord', 'G3', 'C-pings'), options: { mentionRoleId: 'R-quiet' } },
      { ...subscription('discord', 'G3', 'C-loud'), options: { mentionRoleId: 'R-loud' } },
      subscription('slack', 'T1', 'C-outsider'),
      subscription('slack', 'T1', 'C-private'),
      subscription('slack', 'T1', 'C-member', 'not_in_channel'),
    ]);
    const checks = await runDoctor({
      config,
      subscriptions,
      redis: { options: { path: goodRedis }, where: 'good redis' },
    });
    expect(byName(checks, 'discord: application')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('999'),
    });
    expect(byName(checks, 'discord: channel C-visible (G1)')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('cannot read its history'),
      fix: expect.stringContaining('Read Message History'),
    });
    expect(byName(checks, 'discord: channel C-hidden (G1)')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('View Channel'),
    });
    // Computed from @everyone, the bot's role and the channel's overwrite: what a threaded subscription lacks.
    expect(byName(checks, 'discord: channel C-threads (G2)')).toMatchObject({
      ok: false,
      detail: '#pycon: the bot lacks Read Message History, Create Public Threads, Send Messages in Threads',
    });
    // A role the bot cannot ping: the announcement would name it and ping no one.
    expect(byName(checks, 'discord: channel C-pings (G3)')).toMatchObject({
      ok: true,
      mark: 'warn',
      detail: expect.stringContaining('cannot ping its role @members: not mentionable'),
      fix: expect.stringContaining('make the role mentionable'),
    });
    expect(byName(checks, 'discord: channel C-loud (G3)')).toMatchObject({
      ok: true,
      detail: '#news: the bot has every permission its subscription needs',
    });
    expect(byName(checks, 'discord: channel C-deleted (G1)')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('unknown channel'),
    });
    expect(byName(checks, 'slack: channel C-outsider (T1)')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('/invite'),
    });
    expect(byName(checks, 'slack: channel C-private (T1)')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('channel_not_found'),
    });
    expect(byName(checks, 'slack: channel C-member (T1)')).toMatchObject({
      ok: false,
      fix: expect.stringContaining('/psf subscribe'),
    });
    const report = renderDoctorReport(checks);
    expect(report).toMatch(
      /^FAIL discord: channel C-hidden \(G1\) +the bot cannot see this channel .* — fix: give the bot View Channel/m,
    );
    expect(report.split('\n').at(-1)).toMatch(/^7 of \d+ checks failed/);
  });
});
