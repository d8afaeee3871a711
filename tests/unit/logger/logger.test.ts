import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logger.js';

function capture(): { lines: string[]; stream: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

describe('logger', () => {
  it('writes JSON lines and never a token or secret, however deep it sits', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', { stream });
    logger.info(
      {
        token: 'tok-top',
        config: {
          slack: {
            botToken: 'xoxb-deep',
            signingSecret: 'sign-deep',
            oauth: { clientSecret: 'client-deeper' },
          },
          discord: { token: 'discord-deep' },
        },
        request: { headers: { authorization: 'Bot hidden' } },
        feed: 'psf',
      },
      'configured',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of [
      'tok-top',
      'xoxb-deep',
      'sign-deep',
      'client-deeper',
      'discord-deep',
      'Bot hidden',
    ]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as { feed: string; msg: string; config: { slack: { botToken: string } } };
    expect(parsed).toMatchObject({ feed: 'psf', msg: 'configured', app: 'psf-bot' });
    expect(parsed.config.slack.botToken).toBe('[redacted]');
  });

  it('keeps below-level lines out', () => {
    const { lines, stream } = capture();
    const logger = createLogger('warn', { stream });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['loud']);
  });

  it('redacts credentials, query strings and tokens inside free text, and bounds every line', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', { stream });
    const token = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5OkFCQ2RlZjEyMzQ1Njc4OTA';
    logger.error(
      {
        err: new Error(
          `PATCH https://discord.com/api/v10/webhooks/123456789012345678/${token}/messages/@original`,
        ),
        url: 'https://reader:hunter2@feeds.example/rss?key=tok-abc123',
      },
      'failed with xoxb-1234-5678-abcdefSECRET and https://hooks.slack.com/services/T0/B0/Ab12Cd34Ef56Gh78Ij90Kl12',
    );
    const line = lines[0]!;
    for (const secret of [token, 'hunter2', 'tok-abc123', 'abcdefSECRET', 'Ab12Cd34Ef56Gh78Ij90Kl12'])
      expect(line).not.toContain(secret);
    expect(line).toContain('https://[redacted]@feeds.example/rss?[redacted]');
    expect(line).toContain('/webhooks/123456789012345678/[redacted]');
    // A megabyte of URL-ish junk is redacted in linear time (a backtracking pattern took minutes on this).
    logger.warn({ title: '<a '.repeat(200_000), body: 'http://'.repeat(150_000) }, 'a huge title');
    expect(lines[1]!.length).toBeLessThan(20_000);
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'a huge title' });
  });
  it('never logs the password of a failed Redis AUTH (ioredis puts the command and its args on the error)', () => {
    const { lines, stream } = capture();
    const logger = createLogger('debug', { stream });
    // The shape ioredis 5 gives a WRONGPASS reply to AUTH (seen against a redis-server with requirepass);
    // a Redis Cluster's ClusterAllFailedError carries the node's error as lastNodeError.
    const wrongPass = () =>
      Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), {
        name: 'ReplyError',
        command: { name: 'auth', args: ['bot', 'redis-pw-123'] },
      });
    logger.error({ err: wrongPass(), queue: 'deliver-slack' }, 'queue connection error');
    logger.debug(
      { err: Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: wrongPass() }) },
      'x',
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toContain('redis-pw-123');
    expect(lines[0]).toContain('WRONGPASS');
  });
});
