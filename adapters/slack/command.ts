import type { App } from '@slack/bolt';
import { z } from 'zod';
import { parseCommandText } from '../../src/commands/parse.js';
import type { CommandContext, CommandRequest, CommandService, Reply } from '../../src/commands/types.js';
import type { Logger } from '../../src/logger.js';
import { SlackClient } from './client.js';
import { channelAccessProblem, isWorkspaceAdmin, resolveUserGroup } from './permissions.js';
import { renderSlackReply } from './reply.js';

/** What the `/psf` handler needs. */
export interface PsfCommandDeps {
  commands: CommandService;
  /** Slack user ids that may manage subscriptions whatever their workspace role (`SLACK_ADMIN_USERS`). */
  adminUsers: readonly string[];
  logger: Logger;
}

/**
 * The slash command fields we use. Bolt has verified the signature; the payload is still untrusted input.
 * Form encoding makes every value a string, `is_enterprise_install` included.
 * https://docs.slack.dev/interactivity/implementing-slash-commands#app_command_handling
 */
const slashCommand = z.object({
  text: z.string().default(''),
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
});

const MANAGING: ReadonlySet<CommandRequest['name']> = new Set([
  'subscribe',
  'unsubscribe',
  'subscriptions',
  'test',
]);

/** Commands that manage subscriptions look the user up; lookups need no permission and skip the call. */
async function contextFor(
  request: CommandRequest,
  payload: z.infer<typeof slashCommand>,
  client: SlackClient,
  deps: PsfCommandDeps,
): Promise<CommandContext> {
  const canManage = MANAGING.has(request.name)
    ? await isWorkspaceAdmin(client, payload.user_id, deps.adminUsers, deps.logger)
    : false;
  return {
    platform: 'slack',
    workspaceId: payload.team_id,
    channelId: payload.channel_id,
    userId: payload.user_id,
    canManage,
  };
}

/** Parses, checks and answers one command as a neutral reply, plus whether to share it in the channel. */
export async function answerSlashCommand(
  raw: unknown,
  client: SlackClient,
  deps: PsfCommandDeps,
): Promise<{ reply: Reply; share: boolean }> {
  const payload = slashCommand.safeParse(raw);
  if (!payload.success)
    return { reply: { kind: 'error', message: 'Slack sent a command I could not read.' }, share: false };
  const parsed = parseCommandText(payload.data.text);
  if (!parsed.ok) return { reply: { kind: 'error', message: parsed.message }, share: false };
  const request = withTypedTemplate(parsed.request);
  const share = 'share' in request && request.share;
  const context = await contextFor(request, payload.data, client, deps);
  if ((request.name === 'subscribe' || request.name === 'test') && context.canManage) {
    const problem = await channelAccessProblem(client, context.channelId, deps.logger);
    if (problem) return { reply: { kind: 'error', message: problem }, share: false };
  }
  if (request.name === 'subscribe' && context.canManage && request.mention) {
    const resolved = await resolveUserGroup(client, request.mention, deps.logger);
    if (!resolved.ok) return { reply: { kind: 'error', message: resolved.message }, share: false };
    return { reply: await deps.commands.handle({ ...request, mention: resolved.id }, context), share };
  }
  return { reply: await deps.commands.handle(request, context), share };
}

/**
 * Registers `/psf` (and `/psf-…` variants an operator may name a second app's command). Acks first with an
 * empty 200, well inside Slack's 3 seconds, then answers at `response_url`.
 * https://docs.slack.dev/tools/bolt-js/concepts/acknowledge
 */
export function registerPsfCommand(app: App, deps: PsfCommandDeps): void {
  app.command(/^\/psf(?:-[\w-]+)?$/, async ({ command, ack, respond, client }) => {
    await ack();
    let answer: { reply: Reply; share: boolean };
    try {
      answer = await answerSlashCommand(command, SlackClient.over(client), deps);
    } catch (error) {
      deps.logger.error(
        { err: error, command: command.command, team: command.team_id },
        'slash command failed',
      );
      answer = {
        reply: { kind: 'error', message: 'Something went wrong on my side; please try again.' },
        share: false,
      };
    }
    try {
      await respond(renderSlackReply(answer.reply, { share: answer.share }));
    } catch (error) {
      // respond() throws RespondError when the response_url expired (30 min) or was used 5 times.
      deps.logger.warn({ err: error, team: command.team_id }, 'could not answer at response_url');
    }
  });
}

/**
 * Slack sends what a user typed with `&`, `<` and `>` as entities (its escaping of text it sends apps), so a
 * template is stored as typed; the renderer escapes it again when it is shown.
 * https://docs.slack.dev/messaging/formatting-message-text/#escaping
 */
function withTypedTemplate(request: CommandRequest): CommandRequest {
  if (request.name !== 'subscribe' || typeof request.template !== 'string') return request;
  const template = request.template.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return { ...request, template };
}
