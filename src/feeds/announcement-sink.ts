import type { Post } from '../posts/post.js';

/** Where the poller hands new posts; jobs/ implements it with the BullMQ `announce` queue. */
export interface AnnouncementSink {
  /** Queues each post once (deterministic job id), in the order given: oldest first. */
  enqueue(posts: Post[]): Promise<void>;
  /** Queues an edit of each post already announced whose shown content changed, once per change (numbered). */
  enqueueEdits?(posts: { post: Post; version: string }[]): Promise<void>;
}
