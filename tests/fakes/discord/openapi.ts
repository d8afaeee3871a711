// Validates request bodies against Discord's own OpenAPI description of API v10 (tests/fixtures/platform,
// from discord/discord-api-spec under the MIT licence beside it), so a test cannot pass on a body the real API
// would refuse. Ajv's 2020-12 draft reads it; each operation's schema is compiled once, on first use.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const SPEC_URL = new URL('../../fixtures/platform/discord-openapi.json', import.meta.url);
const SNOWFLAKE = /^(0|[1-9][0-9]{0,19})$/;

let ajv: Ajv2020 | null = null;
const compiled = new Map<string, ValidateFunction>();

function validator(): Ajv2020 {
  if (ajv) return ajv;
  const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as object;
  ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat('snowflake', SNOWFLAKE);
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S+$/i);
  ajv.addFormat('nonce', /^.{0,25}$/s);
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  for (const format of ['int32', 'int64', 'double']) ajv.addFormat(format, true);
  ajv.addSchema(spec, 'discord');
  return ajv;
}

/** An operation of the description: its path template and method, e.g. `/channels/{channel_id}/messages`. */
export interface DiscordOperation {
  route: string;
  method: 'post' | 'patch' | 'put';
}

/** Every problem Discord's description finds in the JSON body of one operation (empty: valid). */
export function openApiProblems(operation: DiscordOperation, body: unknown): string[] {
  const key = `${operation.method} ${operation.route}`;
  const validate = compiled.get(key) ?? compileOperation(operation);
  compiled.set(key, validate);
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}

function compileOperation(operation: DiscordOperation): ValidateFunction {
  const route = operation.route.replace(/~/g, '~0').replace(/\//g, '~1');
  const pointer = `/paths/${route}/${operation.method}/requestBody/content/application~1json/schema`;
  return validator().compile({ $ref: `discord#${pointer}` });
}

/** The operations psf-bot's messages go through, by what the request is. */
export const MESSAGE_OPERATIONS = {
  create: { route: '/channels/{channel_id}/messages', method: 'post' },
  edit: { route: '/channels/{channel_id}/messages/{message_id}', method: 'patch' },
  forumPost: { route: '/channels/{channel_id}/threads', method: 'post' },
} as const satisfies Record<string, DiscordOperation>;

/** Following an announcement channel: `{ webhook_channel_id }`. */
export const FOLLOW_OPERATION: DiscordOperation = {
  route: '/channels/{channel_id}/followers',
  method: 'post',
};
