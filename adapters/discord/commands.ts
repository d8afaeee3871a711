import {
  ApplicationCommandOptionType as Option,
  ApplicationCommandType,
  type APIApplicationCommand,
  type APIApplicationCommandBasicOption,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { MAX_COUNT } from '../../src/commands/types.js';
import { HELP_TOPICS } from '../../src/commands/parse.js';
import { DiscordClient } from './client.js';
import { PLATFORM_STYLES } from '../../src/templates/style.js';
import { MAX_TEMPLATE_LENGTH } from '../../src/templates/template.js';
import { COMMAND_NAME } from './interaction-handler.js';
import { INTEGRATION_TYPE, INTERACTION_CONTEXT } from './invocation.js';

/** Choices are capped at 25: https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure */
const MAX_CHOICES = 25;

const share: APIApplicationCommandBasicOption = {
  type: Option.Boolean,
  name: 'share',
  description: 'Post the answer in the channel instead of only to you',
};
const count: APIApplicationCommandBasicOption = {
  type: Option.Integer,
  name: 'count',
  description: `How many posts (1–${MAX_COUNT}, 5 by default)`,
  min_value: 1,
  max_value: MAX_COUNT,
};

function feedOption(
  description: string,
  feeds: readonly string[],
  all = false,
): APIApplicationCommandBasicOption {
  // `subscribe` also takes `all`: every feed, whatever the channel had.
  const names = all ? [...feeds, 'all'] : feeds;
  const choices =
    feeds.length > 0 && names.length <= MAX_CHOICES ? names.map((name) => ({ name, value: name })) : [];
  return {
    type: Option.String,
    name: 'feed',
    description,
    max_length: 32,
    ...(choices.length > 0 ? { choices } : {}),
  };
}

/** Text, announcement and forum channels: where announcements can go. */
const ANNOUNCEABLE_CHANNEL_TYPES = [0, 5, 15];
/** Text and announcement channels: what can follow an announcement channel (Discord refuses others, 50024). */
const FOLLOWING_CHANNEL_TYPES = [0, 5];

function channelOption(
  description: string,
  types: readonly number[] = ANNOUNCEABLE_CHANNEL_TYPES,
): APIApplicationCommandBasicOption {
  return {
    type: Option.Channel,
    name: 'channel',
    description,
    channel_types: [...types],
  } as APIApplicationCommandBasicOption;
}

function subcommand(name: string, description: string, options: APIApplicationCommandBasicOption[] = []) {
  return { type: Option.Subcommand as const, name, description, options };
}

/**
 * Where a global `/psf` can be used: installed to a server or to a person's account (a user install), and in
 * servers, the bot's DMs and group DMs. Lookups answer everywhere; the subscription commands refuse outside a
 * server that added the bot, at run time (interaction-handler.ts). Guild commands take neither field.
 */
const EVERYWHERE = {
  integration_types: [INTEGRATION_TYPE.guild, INTEGRATION_TYPE.user],
  contexts: [INTERACTION_CONTEXT.guild, INTERACTION_CONTEXT.botDm, INTERACTION_CONTEXT.privateChannel],
};

/**
 * The JSON registered for `/psf`: one command with a subcommand per DESIGN §6 verb, option names as
 * DESIGN §6. Required options come first, as Discord requires. `feeds` become choices when given; `global`
 * (the default) adds the installation types and contexts a global command may have.
 */
export function discordCommandDefinitions(
  options: { feeds?: readonly string[]; hubs?: readonly string[]; global?: boolean } = {},
): RESTPutAPIApplicationCommandsJSONBody {
  const feeds = options.feeds ?? [];
  // `follow` offers the feeds that have a hub (DISCORD_HUB_CHANNELS); none given: any feed, typed.
  const hubs = options.hubs ?? [];
  return [
    {
      type: ApplicationCommandType.ChatInput,
      name: COMMAND_NAME,
      description: 'Python Software Foundation news',
      ...(options.global === false ? {} : EVERYWHERE),
      options: [
        subcommand('latest', 'The newest posts', [count, feedOption('Only this feed', feeds), share]),
        subcommand('tag', 'The newest posts with a tag', [
          {
            type: Option.String,
            name: 'tag',
            description: 'A tag, e.g. grants',
            required: true,
            autocomplete: true,
            max_length: 100,
          },
          count,
          share,
        ]),
        subcommand('tags', 'The tags in use, most used first', [share]),
        subcommand('search', 'Search posts by title, tags and summary', [
          {
            type: Option.String,
            name: 'query',
            description: 'What to look for',
            required: true,
            max_length: 200,
          },
          share,
        ]),
        subcommand('subscribe', 'Announce new posts in a channel (Manage Channels)', [
          channelOption('The channel or forum to announce in (this one by default)'),
          feedOption('One feed, or all (a new subscription gets all; unset keeps the feeds)', feeds, true),
          {
            type: Option.String,
            name: 'tags',
            description:
              'Only posts with any of these tags, comma-separated; -tag excludes; * for every post',
            max_length: 500,
          },
          {
            type: Option.Boolean,
            name: 'crosspost',
            description: 'In an announcement channel, publish each post to following servers',
          },
          {
            type: Option.Role,
            name: 'role',
            description: 'Mention this role with each announcement (@everyone: mention none)',
          },
          {
            type: Option.Boolean,
            name: 'thread',
            description: 'Open a thread on each announcement, named after the post',
          },
          {
            type: Option.String,
            name: 'digest',
            description: 'One message a day or a week listing the posts, instead of one per post',
            choices: ['off', 'daily', 'weekly'].map((value) => ({ name: value, value })),
          },
          {
            type: Option.String,
            name: 'template',
            description: 'Text above each announcement, e.g. {{title}} by {{author||feed}}; none clears it',
            max_length: MAX_TEMPLATE_LENGTH,
          },
          {
            type: Option.String,
            name: 'style',
            description: 'embed (the default) or components (Components V2: a card with a link button)',
            choices: PLATFORM_STYLES.discord.map((value) => ({ name: value, value })),
          },
        ]),
        subcommand('unsubscribe', 'Stop announcements in a channel (Manage Channels)', [
          channelOption('The channel or forum (this one by default)'),
          feedOption('Only this feed (all by default)', feeds),
        ]),
        subcommand('subscriptions', "This server's subscriptions"),
        subcommand('test', 'Post the newest matching post now, as an announcement (Manage Channels)', [
          channelOption('The subscribed channel or forum (this one by default)'),
        ]),
        subcommand('why', 'Was a post announced here, and if not, why', [
          {
            type: Option.String,
            name: 'query',
            description: 'A post URL, id or words of its title',
            required: true,
            max_length: 200,
          },
          channelOption('The subscribed channel or forum (this one by default)'),
        ]),
        subcommand('follow', "Follow a feed's hub channel: Discord delivers every post (Manage Channels)", [
          feedOption('The feed whose hub to follow (every hub by default)', hubs),
          channelOption('The text or announcement channel (this one by default)', FOLLOWING_CHANNEL_TYPES),
        ]),
        subcommand('unfollow', "Stop following a feed's hub channel (Manage Channels)", [
          feedOption('Only this feed (every followed hub by default)', hubs),
          channelOption('The following channel (this one by default)', FOLLOWING_CHANNEL_TYPES),
        ]),
        subcommand('status', 'Feeds, last poll, posts indexed, queue health', [share]),
        subcommand('help', 'What /psf can do', [
          {
            type: Option.String,
            name: 'topic',
            description: 'One command in detail, or install (lookups in DMs and any server)',
            choices: HELP_TOPICS.map((value) => ({ name: value, value })),
          },
          share,
        ]),
      ],
    },
  ];
}

/** Where and how to register: globally, or in one server (guild commands update instantly). */
export interface RegisterOptions {
  token: string;
  applicationId: string;
  apiUrl: string;
  guildId?: string;
  feeds?: readonly string[];
  /** The feeds that have a hub (`follow`, `unfollow`). */
  hubs?: readonly string[];
}

/**
 * Bulk-overwrites the application's commands (`PUT`), globally or in one guild, so stale commands
 * disappear: https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
 */
export async function registerDiscordCommands(
  options: RegisterOptions,
): Promise<{ scope: 'global' | 'guild'; commands: APIApplicationCommand[] }> {
  const client = new DiscordClient({ token: options.token, apiUrl: options.apiUrl });
  const body = discordCommandDefinitions({
    ...(options.feeds ? { feeds: options.feeds } : {}),
    ...(options.hubs ? { hubs: options.hubs } : {}),
    global: !options.guildId,
  });
  const { applicationId, guildId } = options;
  const commands = (await (guildId
    ? client.call('putGuildCommands', { applicationId, guildId }, { body })
    : client.call('putGlobalCommands', { applicationId }, { body }))) as APIApplicationCommand[];
  return { scope: options.guildId ? 'guild' : 'global', commands };
}

/** One line per subcommand with its options, as registered: `/psf subscribe [channel] [feed] …`. */
export function commandUsage(commands: readonly { name: string; options?: unknown }[]): string[] {
  type Described = { name: string; required?: boolean; options?: Described[] };
  return commands.flatMap((command) =>
    ((command.options ?? []) as Described[]).map((sub) => {
      const options = (sub.options ?? []).map((option) =>
        option.required ? option.name : `[${option.name}]`,
      );
      return `  /${command.name} ${[sub.name, ...options].join(' ')}`;
    }),
  );
}

/**
 * The two ways to add psf-bot: to a server (the bot with the README's permissions, and the commands), and to a
 * person's account (the commands only: lookups in any server, DM or group DM). The second needs "User Install"
 * ticked under Installation in the developer portal.
 */
export function installLinks(
  applicationId: string,
  permissions: bigint,
): { server: string; account: string } {
  const base = `https://discord.com/oauth2/authorize?client_id=${encodeURIComponent(applicationId)}`;
  return {
    server: `${base}&scope=bot+applications.commands&permissions=${permissions}&integration_type=${INTEGRATION_TYPE.guild}`,
    account: `${base}&scope=applications.commands&integration_type=${INTEGRATION_TYPE.user}`,
  };
}
