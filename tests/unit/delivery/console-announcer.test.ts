import { describe, expect, it } from 'vitest';
import { ConsoleAnnouncer, renderConsoleAnnouncement } from '../../../adapters/console/console-announcer.js';
import { makePost } from '../../helpers/delivery-fixtures.js';

describe('console announcements', () => {
  it('shows the title, link, author, date, tags and summary', () => {
    const post = makePost(3, {
      title: 'PSF Grants Program update',
      author: 'Jane Doe',
      publishedAt: '2025-03-04T05:06:07.000Z',
      tags: ['Grants', 'PSF'],
      summary: 'We funded things.',
    });
    const { text } = renderConsoleAnnouncement(post);
    expect(text).toContain('PSF Grants Program update');
    expect(text).toContain(post.url!);
    expect(text).toContain('by Jane Doe');
    expect(text).toContain('2025-03-04');
    expect(text).toContain('tags: Grants, PSF');
    expect(text).toContain('We funded things.');
  });

  it('leaves out what the post lacks and strips terminal control sequences', () => {
    const post = makePost(1, {
      title: 'Evil\u001b[2J title\u0007',
      url: null,
      author: null,
      publishedAt: null,
      tags: [],
      summary: '',
    });
    const { text } = renderConsoleAnnouncement(post);
    expect(text).toBe('📣 Evil[2J title');
    expect(text).not.toContain('\u001b');
  });

  it('writes one announcement per call, headed by its channel, and answers a message id', async () => {
    let out = '';
    const announcer = new ConsoleAnnouncer({ write: (chunk) => (out += chunk) });
    const delivered = await announcer.announce(
      makePost(1),
      { workspaceId: 'local', channelId: 'news', options: {} },
      'nonce123',
    );
    expect(out.startsWith('[local/#news]\n📣 Post number 1')).toBe(true);
    expect(delivered.messageId).toBe('console-nonce123');
    expect(announcer.platform).toBe('console');
  });
});
