/**
 * Discord's own checks on a message body, written independently of the adapter's limits module so a wrong
 * constant there cannot hide here. https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * Lengths are counted in UTF-16 units, which is at least Discord's character count.
 */
const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
};

interface Embed {
  title?: string;
  description?: string;
  url?: string;
  timestamp?: string;
  footer?: { text?: string };
  author?: { name?: string };
  thumbnail?: { url?: string };
  fields?: { name?: string; value?: string }[];
}

/** Embed URLs (url, thumbnail, image): undocumented; discord-api-docs#6531 proposed documenting 2048. */
const URL_LIMIT = 2048;

const len = (text: string | undefined) => (text ?? '').trim().length;

/** Every problem Discord would answer `400 Invalid Form Body` for (empty when the body is valid). */
export function messageBodyProblems(body: unknown): string[] {
  const problems: string[] = [];
  const message = (body ?? {}) as { content?: string; embeds?: Embed[]; nonce?: unknown };
  if (len(message.content) > LIMITS.content) problems.push(`content has ${len(message.content)} characters`);
  if (typeof message.nonce === 'string' && message.nonce.length > 25)
    problems.push('nonce is over 25 characters');
  const embeds = message.embeds ?? [];
  if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds`);
  let total = 0;
  embeds.forEach((embed, index) => {
    const check = (what: string, value: string | undefined, limit: number) => {
      if (len(value) > limit) problems.push(`embed ${index} ${what} has ${len(value)} > ${limit}`);
      total += len(value);
    };
    check('title', embed.title, LIMITS.title);
    check('description', embed.description, LIMITS.description);
    check('footer', embed.footer?.text, LIMITS.footer);
    check('author', embed.author?.name, LIMITS.author);
    if ((embed.fields ?? []).length > LIMITS.fields) problems.push(`embed ${index} has too many fields`);
    for (const field of embed.fields ?? []) {
      if (len(field.name) === 0 || len(field.value) === 0) problems.push(`embed ${index} has an empty field`);
      check('field name', field.name, LIMITS.fieldName);
      check('field value', field.value, LIMITS.fieldValue);
    }
    for (const url of [embed.url, embed.thumbnail?.url]) {
      if (url !== undefined && !/^https?:\/\/\S+$/.test(url))
        problems.push(`embed ${index} has a bad URL ${url}`);
      if (url !== undefined && url.length > URL_LIMIT)
        problems.push(`embed ${index} has a URL of ${url.length} characters (2048 or fewer)`);
    }
    if (embed.timestamp !== undefined && Number.isNaN(Date.parse(embed.timestamp)))
      problems.push(`embed ${index} bad timestamp`);
  });
  if (total > LIMITS.total) problems.push(`embeds total ${total} > ${LIMITS.total}`);
  return [...problems, ...componentsV2Problems(message)];
}

/** IS_COMPONENTS_V2, 1 << 15: https://discord.com/developers/docs/resources/message#message-object-message-flags */
export const IS_COMPONENTS_V2 = 1 << 15;

/** Components V2: at most 40 components in all and 4,000 characters of text across the message. */
const V2 = { components: 40, text: 4000 };

interface AnyComponent {
  type?: number;
  content?: string;
  components?: AnyComponent[];
  accessory?: AnyComponent;
}

/**
 * What Discord refuses in a message flagged IS_COMPONENTS_V2, beyond what its OpenAPI description says:
 * `content`, `embeds`, polls and stickers cannot be sent with the flag; components count and text are capped.
 * https://discord.com/developers/docs/components/reference (limits in PLATFORM-NOTES §9.5)
 */
export function componentsV2Problems(body: {
  flags?: unknown;
  content?: unknown;
  embeds?: unknown;
  components?: unknown;
  poll?: unknown;
  sticker_ids?: unknown;
}): string[] {
  if (typeof body.flags !== 'number' || (body.flags & IS_COMPONENTS_V2) === 0) return [];
  const problems: string[] = [];
  if (typeof body.content === 'string' && body.content.length > 0)
    problems.push('content cannot be sent with IS_COMPONENTS_V2');
  if (Array.isArray(body.embeds) && body.embeds.length > 0)
    problems.push('embeds cannot be sent with IS_COMPONENTS_V2');
  if (body.poll != null || body.sticker_ids != null) problems.push('poll or stickers with IS_COMPONENTS_V2');
  let count = 0;
  let text = 0;
  const visit = (component: AnyComponent): void => {
    count += 1;
    if (component.type === 10) text += component.content?.length ?? 0;
    (component.components ?? []).forEach(visit);
    if (component.accessory) visit(component.accessory);
  };
  ((body.components ?? []) as AnyComponent[]).forEach(visit);
  if (count === 0) problems.push('IS_COMPONENTS_V2 without components');
  if (count > V2.components) problems.push(`${count} components > ${V2.components}`);
  if (text > V2.text) problems.push(`text displays total ${text} > ${V2.text} characters`);
  return problems;
}
