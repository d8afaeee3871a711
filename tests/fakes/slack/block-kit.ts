// Checks a rendered Slack message the way Slack would reject it, independently of the renderer's own constants:
// https://docs.slack.dev/reference/block-kit/blocks and the pages of each block type.

interface TextObject {
  type: string;
  text: string;
}
type AnyBlock = { type: string } & Record<string, unknown>;

/** A message as `chat.postMessage` or a `response_url` receives it. */
export interface SlackPayload {
  text: string;
  blocks?: unknown[];
}

const HTTP_URL = /^https?:\/\/\S+$/;

function textProblems(where: string, object: unknown, max: number, kinds: string[]): string[] {
  const text = object as TextObject | undefined;
  if (!text || !kinds.includes(text.type))
    return [`${where}: text type ${text?.type} not in ${kinds.join('/')}`];
  if (typeof text.text !== 'string' || text.text.length === 0) return [`${where}: empty text`];
  return text.text.length > max ? [`${where}: ${text.text.length} > ${max} characters`] : [];
}

/**
 * A card: at least one of hero image, title, body, actions; title and subtitle mrkdwn of at most 150
 * characters, body at most 200; an image's URL at most 3,000 and its alt text 2,000; buttons as in an actions
 * block. https://docs.slack.dev/reference/block-kit/blocks/card-block
 */
function cardProblems(where: string, card: AnyBlock): string[] {
  const problems: string[] = [];
  if (!card.hero_image && !card.title && !card.body && !card.actions)
    problems.push(`${where}: an empty card`);
  if (card.title) problems.push(...textProblems(`${where} title`, card.title, 150, ['mrkdwn']));
  if (card.subtitle) problems.push(...textProblems(`${where} subtitle`, card.subtitle, 150, ['mrkdwn']));
  if (card.body) problems.push(...textProblems(`${where} body`, card.body, 200, ['mrkdwn']));
  const image = card.hero_image as { type?: string; image_url?: string; alt_text?: string } | undefined;
  if (image) {
    if (image.type !== 'image') problems.push(`${where}: hero_image is not an image element`);
    if (
      typeof image.image_url !== 'string' ||
      image.image_url.length > 3000 ||
      !HTTP_URL.test(image.image_url)
    )
      problems.push(`${where}: bad hero image url`);
    if (typeof image.alt_text !== 'string' || image.alt_text.length === 0 || image.alt_text.length > 2000)
      problems.push(`${where}: hero image alt_text must be 1 to 2000 characters`);
  }
  if (card.actions) problems.push(...buttonProblems(where, card.actions as Array<Record<string, unknown>>));
  return problems;
}

function buttonProblems(where: string, elements: Array<Record<string, unknown>>): string[] {
  const problems = elements.length > 25 ? [`${where}: ${elements.length} elements > 25`] : [];
  for (const element of elements) {
    problems.push(...textProblems(`${where} button`, element.text, 75, ['plain_text']));
    const url = element.url;
    if (typeof url !== 'string' || url.length > 3000 || !HTTP_URL.test(url))
      problems.push(`${where}: bad button url ${String(url)}`);
  }
  return problems;
}

function blockProblems(block: AnyBlock, i: number): string[] {
  const where = `block ${i} (${block.type})`;
  switch (block.type) {
    case 'header':
      return textProblems(where, block.text, 150, ['plain_text']);
    case 'section':
      return textProblems(where, block.text, 3000, ['mrkdwn', 'plain_text']);
    case 'context': {
      const elements = block.elements as unknown[];
      const problems = elements.length > 10 ? [`${where}: ${elements.length} elements > 10`] : [];
      return [
        ...problems,
        ...elements.flatMap((element, j) =>
          textProblems(`${where} element ${j}`, element, 3000, ['mrkdwn', 'plain_text']),
        ),
      ];
    }
    case 'actions':
      return buttonProblems(where, block.elements as Array<Record<string, unknown>>);
    case 'divider':
      return [];
    case 'card':
      return cardProblems(where, block);
    case 'carousel': {
      const cards = (block.elements ?? []) as AnyBlock[];
      const problems =
        cards.length < 1 || cards.length > 10 ? [`${where}: ${cards.length} cards (1 to 10)`] : [];
      cards.forEach((card, j) => {
        if (card.type !== 'card') problems.push(`${where} element ${j}: ${card.type} is not a card`);
        else problems.push(...cardProblems(`${where} card ${j}`, card));
      });
      return problems;
    }
    default:
      return [`${where}: unexpected block type`];
  }
}

/** Every Block Kit limit the message breaks (empty when Slack would accept it). */
export function blockKitProblems(message: SlackPayload): string[] {
  const blocks = (message.blocks ?? []) as AnyBlock[];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push(`${blocks.length} blocks > 50`);
  if (message.text.length === 0 || message.text.length > 4000)
    problems.push(`text length ${message.text.length}`);
  // bolt-js#2509: msg_blocks_too_long near 13k characters in total, below every documented per-block limit.
  const total = JSON.stringify(blocks).length;
  if (total > 12_000) problems.push(`blocks total ${total} characters`);
  blocks.forEach((block, i) => problems.push(...blockProblems(block, i)));
  return problems;
}

/** A view as `views.publish` receives it. */
export interface SlackView {
  type?: unknown;
  blocks?: unknown[];
}

/**
 * Every limit a Home tab view breaks: `type: 'home'`, at most 100 blocks ("up to 50 blocks in each message, and
 * 100 blocks in modals or Home tabs", https://docs.slack.dev/reference/block-kit/blocks), each block valid.
 */
export function homeViewProblems(view: SlackView): string[] {
  const blocks = (view.blocks ?? []) as AnyBlock[];
  const problems: string[] = [];
  if (view.type !== 'home') problems.push(`view type ${String(view.type)} is not home`);
  if (blocks.length === 0) problems.push('no blocks');
  if (blocks.length > 100) problems.push(`${blocks.length} blocks > 100`);
  const total = JSON.stringify(blocks).length;
  // Not a documented limit: a budget in the spirit of bolt-js#2509 (messages fail near 13k characters).
  if (total > 24_000) problems.push(`blocks total ${total} characters`);
  blocks.forEach((block, i) => problems.push(...blockProblems(block, i)));
  return problems;
}

/** Every mrkdwn string Slack would parse for mentions: the top-level `text` and mrkdwn text objects. */
export function mrkdwnTexts(message: SlackPayload): string[] {
  const texts = [message.text];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string') texts.push(object.text);
      Object.values(object).forEach(visit);
    }
  };
  visit(message.blocks ?? []);
  return texts;
}

/** The renderer's own control sequences: links it built and localised dates. */
const OWN_TOKENS = [
  /<https?:\/\/[^\s|<>]+\|[^<>]*>/g,
  /<!date\^\d+\^\{date_short_pretty\}\|\d{4}-\d{2}-\d{2}>/g,
];

/**
 * Control sequences in mrkdwn that the renderer did not put there on purpose: anything that could be a
 * broadcast (`<!channel>`, `<!here>`), a user or group mention, or a forged link.
 */
export function strayControlSequences(message: SlackPayload): string[] {
  return strayIn(mrkdwnTexts(message));
}

/** `strayControlSequences` for a Home tab view, whose mrkdwn may also link channels (`<#C123>`). */
export function strayInView(view: SlackView): string[] {
  const texts = mrkdwnTexts({ text: '', blocks: view.blocks ?? [] }).map((text) =>
    text.replace(/<#[CGD][A-Z0-9]+>/g, ''),
  );
  return strayIn(texts);
}

function strayIn(texts: string[]): string[] {
  return texts.flatMap((text) => {
    const rest = OWN_TOKENS.reduce((remaining, pattern) => remaining.replace(pattern, ''), text);
    return /[<>]/.test(rest) ? [rest] : [];
  });
}
