import type { RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Post } from '../../src/posts/post.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import { fitEmbeds, postEmbed } from './embeds.js';
import { noMentions } from './limits.js';

/** Snowflakes are decimal ids; anything else must never reach a mention. */
const SNOWFLAKE = /^\d{17,20}$/;

/** Options that change an announcement's body (a subset of the subscription's options). */
export type AnnouncementOptions = Pick<SubscriptionOptions, 'mentionRoleId'>;

/**
 * The body of `POST /channels/{id}/messages` for one post: one embed, and no ping at all unless the
 * subscription opted into a role mention, in which case exactly that role may be pinged.
 * Without `allowed_mentions`, regular messages parse every mention, `@everyone` included:
 * https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
export function renderDiscordAnnouncement(
  post: Post,
  options: AnnouncementOptions = {},
): RESTPostAPIChannelMessageJSONBody & {
  allowed_mentions: NonNullable<RESTPostAPIChannelMessageJSONBody['allowed_mentions']>;
} {
  const role = options.mentionRoleId && SNOWFLAKE.test(options.mentionRoleId) ? options.mentionRoleId : null;
  return {
    ...(role ? { content: `<@&${role}>` } : {}),
    embeds: fitEmbeds([postEmbed(post, { tagsAs: 'field' })]),
    // `parse: []` with an explicit `roles` list is allowed; only `parse: ['roles']` + `roles` conflicts.
    allowed_mentions: role ? { parse: [], roles: [role] } : noMentions(),
  };
}

/**
 * The first line of a `/psf test` message (Discord's small "subtext" markdown): members see it is a test, and
 * a look before a re-send never takes it for the announcement of the same post.
 */
export const TEST_MARK = '-# Test announcement (`/psf test`), not a delivery';

/** A message body marked as a `/psf test` message: the mark above any role mention. */
export function markedAsTest<T extends { content?: string | undefined }>(body: T): T {
  return { ...body, content: body.content ? `${TEST_MARK}\n${body.content}` : TEST_MARK };
}

/** Whether a message's content begins with the test mark. */
export function isTestMessage(content: string | undefined): boolean {
  return (content ?? '').startsWith(TEST_MARK);
}
