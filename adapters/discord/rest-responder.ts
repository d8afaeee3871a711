import { Routes, type REST } from 'discord.js';
import type { DiscordInvocation } from './invocation.js';
import type { InteractionResponder } from './interaction-handler.js';

/**
 * Answers an interaction over REST: `POST /interactions/{id}/{token}/callback`, then
 * `PATCH /webhooks/{app}/{token}/messages/@original`. Both use the interaction token, not the bot token
 * (`auth: false`), and are exempt from the bot's global rate limit:
 * https://discord.com/developers/docs/interactions/receiving-and-responding#endpoints
 */
export function restResponder(
  rest: REST,
  invocation: Pick<DiscordInvocation, 'id' | 'token' | 'applicationId'>,
): InteractionResponder {
  return {
    async respond(response) {
      await rest.post(Routes.interactionCallback(invocation.id, invocation.token), {
        body: response,
        auth: false,
      });
    },
    async editOriginal(data) {
      await rest.patch(Routes.webhookMessage(invocation.applicationId, invocation.token, '@original'), {
        body: data,
        auth: false,
      });
    },
  };
}
