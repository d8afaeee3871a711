import { describe, expect, it } from 'vitest';
import { matchDecision, subscriptionMatches } from '../../../src/subscriptions/matching.js';
import { makePost, makeSubscription } from '../../helpers/delivery-fixtures.js';

const now = new Date();
const post = makePost(1, { feed: 'psf', tags: ['Board of Directors', 'PyCon US'] });

describe('which subscriptions an announced post goes to', () => {
  it('goes to a subscription with no feeds and no tags', () => {
    expect(subscriptionMatches(makeSubscription(1), post, now)).toBe(true);
  });

  it('goes only to subscriptions naming its feed, when they name any', () => {
    expect(subscriptionMatches(makeSubscription(1, { feeds: ['psf', 'insider'] }), post, now)).toBe(true);
    expect(subscriptionMatches(makeSubscription(1, { feeds: ['insider'] }), post, now)).toBe(false);
  });

  it('goes to a tag filter when the post carries any of its tags, compared normalised', () => {
    expect(subscriptionMatches(makeSubscription(1, { tags: ['board-of-directors'] }), post, now)).toBe(true);
    expect(subscriptionMatches(makeSubscription(1, { tags: ['grants', 'PYCON_US'] }), post, now)).toBe(true);
    expect(subscriptionMatches(makeSubscription(1, { tags: ['grants'] }), post, now)).toBe(false);
  });

  it('never goes where one of its tags is excluded, whatever else matches, and says which tag', () => {
    const sub = makeSubscription(1, { tags: ['pycon-us'], excludedTags: ['board of directors'] });
    expect(subscriptionMatches(sub, post, now)).toBe(false);
    expect(matchDecision(sub, post, now)).toEqual({ kind: 'excluded_tag', tag: 'board of directors' });
    expect(subscriptionMatches(makeSubscription(1, { excludedTags: ['sponsors'] }), post, now)).toBe(true);
    expect(matchDecision(makeSubscription(1, { tags: ['grants'] }), post, now)).toEqual({
      kind: 'no_included_tag',
      tags: ['grants'],
    });
  });

  it('never goes to a disabled subscription', () => {
    expect(
      subscriptionMatches(
        makeSubscription(1, { disabledReason: 'gone', disabledAt: now.toISOString() }),
        post,
        now,
      ),
    ).toBe(false);
  });

  it('goes to subscriptions created at or before the announcement, not after', () => {
    const at = (ms: number) => makeSubscription(1, { createdAt: new Date(now.getTime() + ms).toISOString() });
    expect(subscriptionMatches(at(0), post, now)).toBe(true);
    expect(subscriptionMatches(at(-1), post, now)).toBe(true);
    expect(subscriptionMatches(at(1), post, now)).toBe(false);
  });
});
