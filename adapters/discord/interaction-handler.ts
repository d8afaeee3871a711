import type {
  APIApplicationCommandOptionChoice,
  APIInteractionResponse,
  RESTPatchAPIWebhookWithTokenMessageJSONBody,
} from 'discord.js';
import type { CommandService, Reply } from '../../src/commands/types.js';
import type { Logger } from '../../src/logger.js';
import { parseCommandOptions } from '../../src/commands/parse.js';
import { commandContext, USE_EXTERNAL_APPS, type DiscordInvocation } from './invocation.js';
import { EPHEMERAL_FLAG } from './limits.js';
import { renderDiscordReply, type DiscordReplyData } from './reply.js';

/** The one slash command this bot registers. */
export const COMMAND_NAME = 'psf';

/** Commands about a server's channels: they need psf-bot added to the server, not only to a person's account. */
const SERVER_ONLY = new Set(['subscribe', 'unsubscribe', 'subscriptions', 'test', 'follow', 'unfollow']);

/**
 * What a command that needs the bot in the server answers elsewhere: in a DM, or in a server where only the
 * person added the app (a user install), so psf-bot can neither see nor post in its channels.
 */
export function outsideServerReply(command: string, direct: boolean): Reply {
  const where = direct ? 'in a server channel' : 'in a server where psf-bot itself is added';
  const text =
    command === 'why'
      ? `\`/psf why\` tells what happened to a post in one channel: ask it ${where}, in the channel you mean. In a DM, \`/psf search\` finds the post itself.`
      : `\`/psf ${command}\` works only ${where}: ask a server manager to add psf-bot to the server (README: "Add it to a server"). Lookups work anywhere.`;
  return { kind: 'text', text };
}

/**
 * Callback types: https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type
 */
export const CALLBACK_TYPE = { pong: 1, message: 4, deferredMessage: 5, autocomplete: 8 } as const;

/** Autocomplete answers at most 25 choices, names and values of 1–100 characters (application-commands doc). */
const MAX_CHOICES = 25;
const MAX_CHOICE_LENGTH = 100;

/**
 * Answer directly when the reply is ready within this time, otherwise defer (type 5) and edit `@original`.
 * Discord invalidates the token unless the first response arrives within 3 s; 1.5 s leaves the other half
 * for the callback's own round trip. Lookups take milliseconds, so they normally answer in one response.
 */
export const DEFAULT_DEFER_AFTER_MS = 1_500;

/** How a transport answers an interaction: the first response, then edits of the deferred original. */
export interface InteractionResponder {
  respond(response: APIInteractionResponse): Promise<void>;
  editOriginal(data: RESTPatchAPIWebhookWithTokenMessageJSONBody): Promise<void>;
}

/** Dependencies of the handler. */
export interface DiscordInteractionHandlerOptions {
  commands: CommandService;
  logger?: Logger;
  deferAfterMs?: number;
}

/** Answers `/psf` commands and tag autocomplete; gateway mode and HTTP mode both call it. */
export class DiscordInteractionHandler {
  private readonly deferAfterMs: number;

  constructor(private readonly options: DiscordInteractionHandlerOptions) {
    this.deferAfterMs = options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS;
  }

  /** Sends exactly one initial response through `responder`, and at most one edit after a deferral. */
  async handle(invocation: DiscordInvocation, responder: InteractionResponder): Promise<void> {
    if (invocation.kind === 'autocomplete') {
      await responder.respond({
        type: CALLBACK_TYPE.autocomplete,
        data: { choices: await this.choices(invocation) },
      });
      return;
    }
    const request =
      invocation.commandName === COMMAND_NAME && invocation.subcommand
        ? parseCommandOptions(invocation.subcommand, invocation.options)
        : { ok: false as const, message: `Unknown command /${invocation.commandName}.` };
    if (!request.ok) {
      const data = renderDiscordReply({ kind: 'error', message: request.message }, { ephemeral: true });
      await responder.respond({ type: CALLBACK_TYPE.message, data });
      return;
    }
    const inServer = invocation.guildId !== null && invocation.guildInstalled;
    const command = request.request.name;
    if (!inServer && (SERVER_ONLY.has(command) || command === 'why')) {
      const data = renderDiscordReply(outsideServerReply(command, invocation.guildId === null), {
        ephemeral: true,
      });
      await responder.respond({ type: CALLBACK_TYPE.message, data });
      return;
    }
    const ephemeral = !('share' in request.request && request.request.share) || !mayShare(invocation);
    const work = this.run(() => this.options.commands.handle(request.request, commandContext(invocation)));
    const early = await this.within(work, this.deferAfterMs);
    if (early) {
      // An error is private even when the lookup was to be shared: nobody else needs to see it.
      const data = renderDiscordReply(early, { ephemeral: ephemeral || early.kind === 'error' });
      await responder.respond({ type: CALLBACK_TYPE.message, data });
      return;
    }
    // The ephemeral state is fixed by the deferral and cannot change in the edit.
    await responder.respond({
      type: CALLBACK_TYPE.deferredMessage,
      data: ephemeral ? { flags: EPHEMERAL_FLAG } : {},
    });
    await responder.editOriginal(withoutFlags(renderDiscordReply(await work, { ephemeral })));
  }

  /** Tags in use matching what the user typed, deduplicated, within Discord's choice limits. */
  private async choices(invocation: DiscordInvocation): Promise<APIApplicationCommandOptionChoice<string>[]> {
    if (invocation.commandName !== COMMAND_NAME || invocation.focused?.name !== 'tag') return [];
    try {
      const tags = await this.options.commands.suggestTags(
        invocation.focused.value.slice(0, 100),
        MAX_CHOICES,
      );
      const unique = [...new Set(tags.map((tag) => tag.trim()).filter(Boolean))];
      return unique
        .filter((tag) => tag.length <= MAX_CHOICE_LENGTH)
        .slice(0, MAX_CHOICES)
        .map((tag) => ({ name: tag, value: tag }));
    } catch (error) {
      // Autocomplete cannot be deferred or show an error; an empty list is the honest answer.
      this.options.logger?.warn({ err: error }, 'tag autocomplete failed');
      return [];
    }
  }

  private async run(work: () => Promise<Reply>): Promise<Reply> {
    try {
      return await work();
    } catch (error) {
      // The core promises not to throw; if it does, the user still gets an answer.
      this.options.logger?.error({ err: error }, 'command failed');
      return { kind: 'error', message: 'Something went wrong answering that command. Please try again.' };
    }
  }

  private async within(work: Promise<Reply>, ms: number): Promise<Reply | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms);
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Whether a shared answer may be public: Discord forces a user-installed app's answers private in a server whose
 * member lacks "Use External Apps" (the server disallows external apps), so the answer says so by being private
 * from the start rather than failing or being turned private by Discord.
 */
function mayShare(invocation: DiscordInvocation): boolean {
  if (invocation.guildId === null || invocation.guildInstalled) return true;
  return invocation.permissions !== null && (invocation.permissions & USE_EXTERNAL_APPS) !== 0n;
}

/** Message flags cannot be changed by an edit (`EPHEMERAL` is fixed at creation). */
function withoutFlags(data: DiscordReplyData): RESTPatchAPIWebhookWithTokenMessageJSONBody {
  const { flags: _flags, ...rest } = data;
  return rest as RESTPatchAPIWebhookWithTokenMessageJSONBody;
}
