import type { Post } from '../../../src/posts/post.js';

/** A post with sensible defaults, for tests that care about a few fields. */
export function samplePost(overrides: Partial<Post> = {}): Post {
  return {
    id: 'tag:blogger.com,1999:blog-1.post-42',
    feed: 'psf',
    title: 'PSF Grants Program 2026 Update',
    url: 'https://pyfound.blogspot.com/2026/02/grants-update.html',
    author: 'Laura Graves',
    publishedAt: '2026-02-10T17:30:00.000Z',
    updatedAt: '2026-02-10T18:00:00.000Z',
    tags: ['Grants', 'PSF'],
    summary: 'The PSF Grants Program reopens with a new budget. Here is what changes for applicants.',
    image: 'https://blogger.googleusercontent.com/img/b/grants.png',
    ...overrides,
  };
}
