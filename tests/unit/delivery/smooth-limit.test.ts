import { describe, expect, it } from 'vitest';
import { smoothLimit } from '../../../jobs/delivery/workers.js';

describe('smoothLimit', () => {
  it('keeps the rate but cuts the window to about a tenth of a second', () => {
    for (const perSecond of [1, 7, 20, 45, 48, 50]) {
      const { max, duration } = smoothLimit(perSecond);
      expect(duration).toBeLessThanOrEqual(1_000);
      expect((max * 1_000) / duration).toBeCloseTo(perSecond, 0);
      if (perSecond >= 10) expect(duration).toBeLessThanOrEqual(125);
    }
  });

  it('spreads the Discord default of 48/s as 5 requests every 104 ms', () => {
    expect(smoothLimit(48)).toEqual({ max: 5, duration: 104 });
  });
});
