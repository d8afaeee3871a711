import type { FeedState, FeedStateStore } from './feed-state.js';
import { emptyFeedState } from './feed-state-schema.js';

/** A `FeedStateStore` in memory: tests and one-off runs. */
export class MemoryFeedStateStore implements FeedStateStore {
  private readonly states = new Map<string, FeedState>();

  async get(feed: string): Promise<FeedState> {
    const state = this.states.get(feed);
    return state ? { ...state } : emptyFeedState(feed);
  }

  async all(feeds: string[]): Promise<FeedState[]> {
    return Promise.all(feeds.map((feed) => this.get(feed)));
  }

  async save(state: FeedState): Promise<void> {
    this.states.set(state.feed, { ...state });
  }
}
