import { describe, expect, it } from 'vitest';
import { formatFigures, runChaos, SHORT } from '../../../bench/chaos/runner.js';

// The short form of `npm run chaos`: 2 posts × 10 Discord + 10 Slack channels through a poller and two worker
// processes on a private redis-server, under a proxy outage and lost Slack answers.
describe('the chaos suite, short form', () => {
  it('delivers every post to every channel once, disabling nothing', async () => {
    const { faults, total } = await runChaos(SHORT);
    for (const figures of [...faults, total]) console.log(`[chaos] ${formatFigures(figures)}`);
    expect(faults).toHaveLength(SHORT.faults!.length);
    for (const figures of faults) {
      expect(figures, figures.fault).toMatchObject({
        delivered: SHORT.posts * (SHORT.size.discordChannels + SHORT.size.slackChannels),
        duplicates: 0,
        lost: 0,
        wrongly_disabled: 0,
      });
    }
  }, 180_000);
});
