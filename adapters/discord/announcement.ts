import { ComponentType, type RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import type { Post } from '../../src/posts/post.js';
import type { SubscriptionOptions } from '../../src/subscriptions/subscription.js';
import { IS_COMPONENTS_V2, renderComponents } from './components.js';
import { fitEmbeds, postEmbed } from './embeds.js';
import { CONTENT_LIMIT, noMentions } from './limits.js';
import { discordTemplateText } from './template-format.js';

/** Snowflakes are decimal ids; anything else must never reach a mention. */
const SNOWFLAKE = /^\d{17,20}$/;

/** Options that change an announcement's body (a subset of the subscription's options). */
export type AnnouncementOptions = Pick<SubscriptionOptions, 'mentionRoleId' | 'template' | 'style'>;

/** A message body whose `allowed_mentions` is always set (regular messages otherwise parse every mention). */
export type DiscordAnnouncementBody = RESTPostAPIChannelMessageJSONBody & {
  allowed_mentions: NonNullable<RESTPostAPIChannelMessageJSONBody['allowed_mentions']>;
};

/**
 * The body of `POST /channels/{id}/messages` for one post, in the subscription's style: `embed` (the default:
 * the template's text as `content` above one embed) or `components` (Components V2, `content` empty). No ping
 * at all unless the subscription opted into a role mention, in which case exactly that role may be pinged.
 * Without `allowed_mentions`, regular messages parse every mention, `@everyone` included:
 * https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
export function renderDiscordAnnouncement(
  post: Post,
  options: AnnouncementOptions = {},
): DiscordAnnouncementBody {
  const role = options.mentionRoleId && SNOWFLAKE.test(options.mentionRoleId) ? options.mentionRoleId : null;
  // `parse: []` with an explicit `roles` list is allowed; only `parse: ['roles']` + `roles` conflicts.
  const allowed_mentions = role ? { parse: [], roles: [role] } : noMentions();
  if (options.style === 'components')
    return {
      flags: IS_COMPONENTS_V2,
      components: renderComponents(post, { template: options.template, role }),
      allowed_mentions,
    };
  const mention = role ? `<@&${role}>` : null;
  const template = discordTemplateText(options.template, post, CONTENT_LIMIT - (mention?.length ?? 0) - 1);
  const content = [mention, template].filter((part): part is string => part !== null).join('\n');
  return {
    ...(content ? { content } : {}),
    embeds: fitEmbeds([postEmbed(post, { tagsAs: 'field' })]),
    allowed_mentions,
  };
}

/**
 * The body of `PATCH /channels/{id}/messages/{id}` showing the post as it is now, in the look it was sent
 * with. An embed message clears `content` it no longer has; a Components V2 message keeps its flag (it cannot
 * be removed) and sends neither `content` nor `embeds` (refused with the flag). `allowed_mentions` on every
 * edit: without it an edit re-parses mentions with the defaults.
 * https://discord.com/developers/docs/resources/message#edit-message
 */
export function renderDiscordEdit(post: Post, options: AnnouncementOptions = {}): DiscordAnnouncementBody {
  const body = renderDiscordAnnouncement(post, options);
  if (body.flags !== undefined) return body;
  return { content: body.content ?? '', embeds: body.embeds ?? [], allowed_mentions: body.allowed_mentions };
}

/**
 * The first line of a `/psf test` message (Discord's small "subtext" markdown): members see it is a test, and
 * a look before a re-send never takes it for the announcement of the same post.
 */
export const TEST_MARK = '-# Test announcement (`/psf test`), not a delivery';

/**
 * A message body marked as a `/psf test` message: the mark above any role mention, or, in a Components V2
 * message (which may have no `content`), as a TextDisplay above the container.
 */
export function markedAsTest<
  T extends { content?: string | undefined; flags?: number | undefined; components?: unknown[] | undefined },
>(body: T): T {
  if (body.flags !== undefined && (body.flags & IS_COMPONENTS_V2) !== 0) {
    return {
      ...body,
      components: [{ type: ComponentType.TextDisplay, content: TEST_MARK }, ...(body.components ?? [])],
    };
  }
  return { ...body, content: body.content ? `${TEST_MARK}\n${body.content}` : TEST_MARK };
}

/** Whether a message begins with the test mark: its content, or its first component in Components V2. */
export function isTestMessage(message: {
  content?: string | undefined;
  components?: readonly unknown[] | undefined;
}): boolean {
  if ((message.content ?? '').startsWith(TEST_MARK)) return true;
  const first = message.components?.[0] as { type?: unknown; content?: unknown } | undefined;
  return first?.type === ComponentType.TextDisplay && first.content === TEST_MARK;
}
