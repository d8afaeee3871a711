import {
  Client,
  Events,
  GatewayIntentBits,
  Status,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
} from 'discord.js';
import type { Logger } from '../../src/logger.js';
import { DiscordClient } from './client.js';
import type { DiscordInteractionHandler } from './interaction-handler.js';
import {
  isGuildInstalled,
  readOptions,
  readResolvedChannels,
  readResolvedRoles,
  type DiscordInvocation,
  type OptionTree,
} from './invocation.js';
import { restResponder } from './rest-responder.js';

/** Raw interaction data kept for dispatch; far more than can be in flight at once. */
const MAX_PENDING_RAW = 1_000;

/** What gateway mode needs: the bot token, the API base (a local fake in tests) and the shared handler. */
export interface DiscordGatewayBotOptions {
  token: string;
  apiUrl: string;
  handler: DiscordInteractionHandler;
  logger?: Logger;
  /**
   * A server removed the bot (`GUILD_DELETE` without `unavailable`): its subscriptions can no longer be
   * delivered (see `disableRemovedServer`). Not called for a server outage (`unavailable: true`).
   */
  onRemovedFromServer?(guildId: string): Promise<void>;
}

/**
 * Gateway mode (the default): a discord.js `Client` receives slash commands over the WebSocket, so no
 * public URL is needed. Only the Guilds intent: the bot reads no messages and needs no privileged intent.
 * Replies go over REST with the same payloads HTTP mode returns (gateway responses are HTTP-only anyway).
 */
export class DiscordGatewayBot {
  readonly client: Client;
  /** Resolved channels of interactions being dispatched, by interaction id (removed when handled). */
  private readonly resolved = new Map<
    string,
    Pick<DiscordInvocation, 'resolvedChannels' | 'resolvedRoles' | 'channelType'>
  >();
  /** Interaction replies go through the client layer; they carry the interaction's token, not the bot's. */
  private readonly replies: DiscordClient;

  constructor(private readonly options: DiscordGatewayBotOptions) {
    this.replies = new DiscordClient({
      apiUrl: options.apiUrl,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: options.apiUrl },
      allowedMentions: { parse: [] },
    });
    this.client.on(
      Events.Raw,
      (packet: {
        t?: string;
        d?: { id?: string; data?: unknown; channel?: { type?: unknown }; unavailable?: boolean };
      }) => {
        if (packet.t === 'GUILD_DELETE') return this.onGuildDelete(packet.d);
        // discord.js keeps no member permissions for channels named in options, and may not have the channel
        // cached; the raw packet has both. It is emitted before the interaction is dispatched.
        if (packet.t !== 'INTERACTION_CREATE' || typeof packet.d?.id !== 'string') return;
        const type = packet.d.channel?.type;
        // An interaction discord.js never dispatches would stay here: keep only the most recent ones.
        if (this.resolved.size >= MAX_PENDING_RAW) this.resolved.delete(this.resolved.keys().next().value!);
        this.resolved.set(packet.d.id, {
          resolvedChannels: readResolvedChannels(packet.d.data),
          resolvedRoles: readResolvedRoles(packet.d.data),
          ...(typeof type === 'number' ? { channelType: type } : {}),
        });
      },
    );
    this.client.on(Events.InteractionCreate, (interaction) => void this.onInteraction(interaction));
    this.client.on(Events.Error, (error) => options.logger?.error({ err: error }, 'discord client error'));
  }

  /** Logs in and resolves once the gateway session is ready. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) => this.client.once(Events.ClientReady, () => resolve()));
    await this.client.login(this.options.token);
    await ready;
    this.options.logger?.info({ user: this.client.user?.tag }, 'discord gateway ready');
  }

  /** Closes the gateway connection. */
  async stop(): Promise<void> {
    await this.client.destroy();
  }

  /** Whether the gateway session is up (for `/readyz`). */
  get ready(): boolean {
    return this.client.isReady() && this.client.ws.status === Status.Ready;
  }

  /** A `/readyz` check: true, or why not. */
  async readiness(): Promise<true | string> {
    return this.ready ? true : `discord gateway ${Status[this.client.ws.status] ?? 'not connected'}`;
  }

  /**
   * `GUILD_DELETE`: with `unavailable: true` the server is in an outage (nothing to do); otherwise the bot was
   * removed from it. Read from the raw packet: discord.js emits `GuildDelete` only for servers it has cached.
   * https://discord.com/developers/docs/events/gateway-events#guild-delete
   */
  private onGuildDelete(data: { id?: string; unavailable?: boolean } | undefined): void {
    if (typeof data?.id !== 'string' || data.unavailable === true || !this.options.onRemovedFromServer)
      return;
    const guildId = data.id;
    this.options
      .onRemovedFromServer(guildId)
      .catch((error: unknown) =>
        this.options.logger?.error({ err: error, guild: guildId }, 'could not disable the removed server'),
      );
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    const raw = this.resolved.get(interaction.id) ?? {};
    this.resolved.delete(interaction.id);
    if (!interaction.isChatInputCommand() && !interaction.isAutocomplete()) return;
    const invocation = { ...invocationFromInteraction(interaction), ...raw };
    try {
      await this.options.handler.handle(invocation, restResponder(this.replies, invocation));
    } catch (error) {
      this.options.logger?.error(
        { err: error, command: invocation.commandName, subcommand: invocation.subcommand },
        'discord interaction failed',
      );
    }
  }
}

function invocationFromInteraction(
  interaction: ChatInputCommandInteraction | AutocompleteInteraction,
): DiscordInvocation {
  return {
    kind: interaction.isAutocomplete() ? 'autocomplete' : 'command',
    id: interaction.id,
    token: interaction.token,
    applicationId: interaction.applicationId,
    commandName: interaction.commandName,
    ...readOptions(interaction.options.data.map(toTree)),
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    userId: interaction.user.id,
    permissions: interaction.memberPermissions?.bitfield ?? null,
    // The raw map (keys "0" guild install, "1" user install), as an HTTP interaction carries it.
    guildInstalled: isGuildInstalled(interaction.guildId, interaction.authorizingIntegrationOwners.toJSON()),
  };
}

function toTree(option: CommandInteractionOption): OptionTree {
  return {
    name: option.name,
    type: option.type,
    ...(option.value !== undefined && option.value !== null ? { value: option.value } : {}),
    ...(option.focused ? { focused: true } : {}),
    ...(option.options ? { options: option.options.map(toTree) } : {}),
  };
}
