import type { DiscordClient } from './client.js';
import type { DiscordInvocation } from './invocation.js';
import type { InteractionResponder } from './interaction-handler.js';

/**
 * Answers an interaction over REST: `POST /interactions/{id}/{token}/callback`, then
 * `PATCH /webhooks/{app}/{token}/messages/@original`. Both use the interaction token, not the bot token
 * (`auth: false`), and are exempt from the bot's global rate limit:
 * https://discord.com/developers/docs/interactions/receiving-and-responding#endpoints
 */
export function restResponder(
  client: DiscordClient,
  invocation: Pick<DiscordInvocation, 'id' | 'token' | 'applicationId'>,
): InteractionResponder {
  return {
    async respond(response) {
      await client.call(
        'interactionCallback',
        { interactionId: invocation.id, interactionToken: invocation.token },
        { body: response },
      );
    },
    async editOriginal(data) {
      await client.call(
        'editOriginalResponse',
        { applicationId: invocation.applicationId, interactionToken: invocation.token },
        { body: data },
      );
    },
  };
}
