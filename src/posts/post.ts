/** A post as every layer sees it; the JSON shape of docs/cli.md (ISO-8601 times, null for what the feed lacks). */
export interface Post {
  /** The feed's own identity: guid/id, else the link, else a hash of title and date. */
  id: string;
  /** Name of the configured feed it came from (`psf`). */
  feed: string;
  title: string;
  url: string | null;
  author: string | null;
  publishedAt: string | null;
  updatedAt: string | null;
  /** Labels as written in the feed; match them through `normaliseTag`. */
  tags: string[];
  /** Plain-text summary, about 300 characters, whole sentences (DESIGN §3). */
  summary: string;
  image: string | null;
}

/** The platforms a subscription or a command can come from. */
export type Platform = 'discord' | 'slack' | 'console';

export const PLATFORMS: readonly Platform[] = ['discord', 'slack', 'console'];
