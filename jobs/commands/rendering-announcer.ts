import type { Announcer, Delivered, DeliveryTarget } from '../../src/delivery/announcer.js';
import type { Platform, Post } from '../../src/posts/post.js';
import { lookOf } from '../../src/templates/style.js';
import { announcementPayload } from './preview.js';

/**
 * Stands in for the console channel in `ask "test" --platform discord|slack`: instead of writing the test
 * announcement to the terminal it keeps the body that platform would be sent, in the subscription's template
 * and style, for `ask` to print. Sends nothing anywhere.
 */
export class RenderingAnnouncer implements Announcer {
  readonly platform = 'console' as const;
  /** The body of the last announcement rendered, or null. */
  payload: object | null = null;

  constructor(private readonly renderAs: Exclude<Platform, 'console'>) {}

  async announce(post: Post, target: DeliveryTarget, nonce: string): Promise<Delivered> {
    this.payload = announcementPayload(this.renderAs, post, lookOf(target.options));
    return { messageId: `rendered-${nonce}` };
  }
}
