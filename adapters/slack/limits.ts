/**
 * Block Kit and message limits we render within. Each value cites the page that states it; where
 * Slack is vaguer than its published numbers we budget below them.
 */
export const SLACK_LIMITS = {
  /** https://docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks in each message"). */
  blocksPerMessage: 50,
  /** https://docs.slack.dev/reference/block-kit/blocks/header-block (plain_text, "Maximum length … 150"). */
  headerText: 150,
  /** https://docs.slack.dev/reference/block-kit/blocks/section-block (`text`: 1 to 3000 characters). */
  sectionText: 3000,
  /** https://docs.slack.dev/reference/block-kit/blocks/context-block ("Maximum number of items is 10"). */
  contextElements: 10,
  /** https://docs.slack.dev/reference/block-kit/composition-objects/text-object (at most 3000 characters). */
  textObject: 3000,
  /** https://docs.slack.dev/reference/block-kit/blocks/actions-block (at most 25 elements). */
  actionsElements: 25,
  /** https://docs.slack.dev/reference/block-kit/block-elements/button-element (`text` ≤ 75, `url` ≤ 3000). */
  buttonText: 75,
  buttonUrl: 3000,
  /**
   * https://docs.slack.dev/reference/methods/chat.postMessage: "limit the number of characters in the text
   * field to 4,000"; Slack truncates past 40,000.
   */
  messageText: 4000,
  /**
   * Not a documented limit: bolt-js#2509 reports `msg_blocks_too_long` near 13,000 characters of blocks in
   * total, so we keep a whole message's block text well below that.
   */
  blocksTotalBudget: 10_000,
} as const;
