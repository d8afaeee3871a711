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
});
