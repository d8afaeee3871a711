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
  return problems;
}
