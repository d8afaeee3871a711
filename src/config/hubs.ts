/** A hub: a Discord announcement channel the operator runs, where every post of one feed is posted and crossposted. */
export interface HubChannel {
  feed: string;
  channelId: string;
}

const SNOWFLAKE = /^\d{17,20}$/;

/** Parses `DISCORD_HUB_CHANNELS`: `feed:<channel id>` entries, comma-separated, at most one hub per feed. */
export function parseHubChannels(text: string): { hubs: HubChannel[]; problems: string[] } {
  const hubs: HubChannel[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const [feed = '', channelId = '', ...rest] = entry.split(':').map((part) => part.trim());
    if (!feed || !channelId || rest.length > 0) {
      problems.push(`"${entry}" is not feed:<channel id>`);
    } else if (!SNOWFLAKE.test(channelId)) {
      problems.push(`"${entry}": the channel id must be a Discord id (17–20 digits)`);
    } else if (hubs.some((hub) => hub.feed === feed)) {
      problems.push(`feed "${feed}" has more than one hub: one announcement channel per feed`);
    } else {
      hubs.push({ feed, channelId });
    }
  }
  return { hubs, problems };
}
