import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_METHODS, SlackClient, type SlackMethodName } from '../../../adapters/slack/client.js';
import { DeliveryError } from '../../../src/delivery/announcer.js';
import { FakeSlack } from '../../fakes/slack/fake-slack.js';

// Every method the layer declares, taken from the layer itself: a method added there is tested here.
const METHODS = Object.keys(SLACK_METHODS) as SlackMethodName[];
const TOKEN = 'xoxb-client-layer';
/** Arguments every declared method accepts (each reads the ones it needs). */
const ARGS = {
  token: TOKEN,
  channel: 'C1',
  ts: '1.000001',
  text: 'hello',
  user: 'U1',
  user_id: 'U1',
  view: { type: 'home', blocks: [] },
};

let fake: FakeSlack;
beforeAll(async () => {
  fake = new FakeSlack();
  await fake.start();
  fake.tokens.set(TOKEN, { teamId: 'T1', botId: 'B1', botUserId: 'U0BOT' });
  fake.channels.set('C1', {});
  fake.users.set('U1', {});
});
afterAll(async () => {
  await fake.stop();
});

async function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => value,
    (error: unknown) => error,
  );
}

describe('the Slack client layer after a 401', () => {
  const fresh = () => SlackClient.queueOwned(fake.apiUrl, 5_000);

  it('declares the methods every Slack call of the bot uses', () => {
    expect(METHODS).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'auth.test']));
  });

  it.each(METHODS)(
    '%s: an HTTP 401 is classified as auth and the next calls still reach Slack',
    async (method) => {
      const slack = fresh();
      fake.cue(method, { status: 401 });
      const refused = await settle(slack.call(method, ARGS as never));
      expect(refused).toBeInstanceOf(DeliveryError);
      expect(refused).toMatchObject({ kind: 'auth', code: 'http_401' });

      const before = fake.callsOf(method).length;
      await settle(slack.call(method, ARGS as never));
      expect(fake.callsOf(method)).toHaveLength(before + 1);
      expect(fake.callsOf(method).at(-1)?.token).toBe(TOKEN);
      await expect(slack.call('auth.test', { token: TOKEN })).resolves.toMatchObject({ team_id: 'T1' });
    },
  );

  it.each(METHODS)('%s: an invalid_auth answer is auth, and the next call still works', async (method) => {
    const slack = fresh();
    fake.cue(method, { error: 'invalid_auth' });
    expect(await settle(slack.call(method, ARGS as never))).toMatchObject({
      kind: 'auth',
      code: 'invalid_auth',
    });
    await expect(slack.call('auth.test', { token: TOKEN })).resolves.toMatchObject({ ok: true });
  });
});
