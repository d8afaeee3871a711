import type { FeedNetwork } from './feed-network.js';

/** Conditional-request validators remembered from the last successful fetch. */
export interface FeedValidators {
  etag?: string | null;
  lastModified?: string | null;
}

/** Bounds of one fetch (DESIGN §2: polite and bounded). */
export interface FetchOptions {
  /** Whole fetch, redirects and body included; the socket is destroyed when it runs out. */
  timeoutMs?: number;
  /** Decoded body size cap; reading stops at the first byte over it. */
  maxBytes?: number;
  maxRedirects?: number;
  /** Defaults to `psf-bot/<version> (+<homepage>)`. */
  userAgent?: string;
  /**
   * Follow redirects to loopback, private, link-local and unique-local addresses too
   * (`FEED_ALLOW_PRIVATE_REDIRECTS`). Off, they are refused unless the configured URL's host is itself one.
   */
  allowPrivateRedirects?: boolean;
  /** Name resolution and connection; the system's by default (tests inject one that dials only loopback). */
  network?: FeedNetwork;
}

interface FetchedBase {
  /** Where the fetch ended after redirects (a file path stays a path). */
  url: string;
  redirected: boolean;
  etag: string | null;
  lastModified: string | null;
  /** How long the host says this answer stays fresh (`Cache-Control: max-age` minus `Age`); absent when it says nothing. */
  freshForMs?: number;
}

/** A changed feed body, decoded to text. */
export interface FeedBody extends FetchedBase {
  status: 200;
  body: string;
  contentType: string | null;
  bytes: number;
}

/** The feed has not changed since the validators were issued. */
export interface FeedNotModified extends FetchedBase {
  status: 304;
}

export type FetchResult = FeedBody | FeedNotModified;

export const DEFAULT_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;
