import { describe, expect, it } from 'vitest';
import { renderDiscordAnnouncement } from '../../../adapters/discord/announcement.js';
import { renderDiscordReply } from '../../../adapters/discord/reply.js';
import { ARCHIVE_TOTAL } from '../../helpers/fixtures.js';
import { archivePosts } from '../../fakes/discord/archive-core.js';
import { messageBodyProblems } from '../../fakes/discord/validate.js';

describe('embeds for the whole PSF archive', () => {
  it('keeps every announcement of the 733 posts within Discord limits, with no pings', async () => {
    const posts = await archivePosts();
    expect(posts).toHaveLength(ARCHIVE_TOTAL);
    const problems = posts.flatMap((post) => {
      const body = renderDiscordAnnouncement(post);
      const found = messageBodyProblems(body);
      if (JSON.stringify(body.allowed_mentions) !== '{"parse":[]}') found.push('allowed_mentions not empty');
      if (body.embeds?.length !== 1) found.push('not exactly one embed');
      return found.map((problem) => `${post.id}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it('keeps every 10-post lookup answer over the archive within limits', async () => {
    const posts = await archivePosts();
    for (let start = 0; start < posts.length; start += 10) {
      const reply = renderDiscordReply(
        { kind: 'posts', heading: 'Posts', posts: posts.slice(start, start + 10) },
        { ephemeral: true },
      );
      expect(messageBodyProblems(reply), `posts ${start}–${start + 9}`).toEqual([]);
    }
  });
});
