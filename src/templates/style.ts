import type { Platform } from '../posts/post.js';

/** Every announcement layout: Discord's `embed` and `components` (Components V2), Slack's `blocks` and `card`. */
export const STYLES = ['embed', 'components', 'blocks', 'card'] as const;

export type AnnouncementStyle = (typeof STYLES)[number];

/** The layouts each platform offers; the first is its default (what a subscription without a style gets). */
export const PLATFORM_STYLES: Readonly<Record<Platform, readonly AnnouncementStyle[]>> = {
  discord: ['embed', 'components'],
  slack: ['blocks', 'card'],
  // The console shows text whatever the style: a local channel may keep any, so `ask "test" --platform …`
  // can show how a style looks on Discord or Slack.
  console: [...STYLES],
};

/** Why `style` cannot be used on this platform, or null when it can. */
export function styleProblem(style: AnnouncementStyle, platform: Platform): string | null {
  const offered = PLATFORM_STYLES[platform];
  if (offered.includes(style)) return null;
  return `On ${platform === 'discord' ? 'Discord' : 'Slack'} the style is ${offered.map((name) => `\`${name}\``).join(' or ')}.`;
}

/** The template and style a message was sent with (absent: no template, the platform's default layout). */
export interface AnnouncementLook {
  template?: string;
  style?: AnnouncementStyle;
}

/** Anything carrying a look: a subscription's options, a ledger entry. */
type WithLook = { template?: string | undefined; style?: AnnouncementStyle | undefined };

/** The look of a subscription's options, without absent keys (what the ledger records beside the version). */
export function lookOf(options: WithLook): AnnouncementLook {
  return {
    ...(options.template ? { template: options.template } : {}),
    ...(options.style ? { style: options.style } : {}),
  };
}

/** The options with the look a message was sent with in place of the subscription's current one. */
export function withLook<T extends WithLook>(options: T, look: WithLook): T {
  const { template: _template, style: _style, ...rest } = options;
  return { ...rest, ...lookOf(look) } as T;
}
