// Lint enforces the layering CONTRIBUTING.md describes: src/ is the platform-neutral core, adapters/ render one platform
// each and never touch the queue, jobs/ is the only layer that wires both.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

const sdkModules = ['discord.js', '@discordjs/*', '@slack/*', 'bullmq', 'express'];

// One request path per platform (STYLE.md): the REST client and WebClient live in these files alone.
const clientLayers = ['adapters/discord/client.ts', 'adapters/slack/client.ts'];
const oneCallPath =
  'Every platform call goes through the client layer (adapters/discord/client.ts, adapters/slack/client.ts).';
const restImports = {
  paths: [{ name: 'discord.js', importNames: ['REST'], message: oneCallPath }],
  patterns: [{ group: ['@discordjs/rest', '@slack/web-api'], message: oneCallPath }],
};
// The same, for what an import rule cannot see: a client built or called in place.
const webApiFamilies =
  'apiCall|paginate|admin|apps|auth|bots|chat|conversations|files|oauth|pins|reactions|team|usergroups|users|views';
const restSyntax = [
  { selector: "NewExpression[callee.name='REST']", message: oneCallPath },
  { selector: "NewExpression[callee.name='WebClient']", message: oneCallPath },
  { selector: "NewExpression[callee.property.name='WebClient']", message: oneCallPath },
  { selector: "MemberExpression[property.name='rest'][object.type!='Identifier']", message: oneCallPath },
  {
    selector: `MemberExpression[object.name=/^(client|web)$/][property.name=/^(${webApiFamilies})$/]`,
    message: oneCallPath,
  },
];

/** An adapter's imports: never the queue, never another adapter, and (outside its client layer) no raw client. */
function adapterImports(platform, calls) {
  return {
    patterns: [
      { group: ['**/jobs/**', 'bullmq'], message: 'Adapters never touch the queue.' },
      {
        group: ['console', 'discord', 'slack']
          .filter((other) => other !== platform)
          .map((other) => `**/adapters/${other}/**`),
        message: 'Adapters never import each other.',
      },
      ...calls.patterns,
    ],
    paths: calls.paths,
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    // Resolving `./x.js` to `x.ts` lets import rules see the imports at all (without it, no-cycle found none).
    // no-cycle ignores type-only imports, which vanish at run time; STYLE.md: where two files import each
    // other, a step is in the wrong one (jobs/delivery's steps import each other in one direction only).
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })],
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/adapters/**', '**/jobs/**'], message: 'src/ is the platform-neutral core.' },
            { group: sdkModules, message: 'src/ uses no platform SDK and no queue.' },
          ],
        },
      ],
    },
  },
  ...['console', 'discord', 'slack'].map((platform) => ({
    files: [`adapters/${platform}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', adapterImports(platform, restImports)] },
  })),
  ...['discord', 'slack'].map((platform) => ({
    files: [`adapters/${platform}/client.ts`],
    rules: { 'no-restricted-imports': ['error', adapterImports(platform, { paths: [], patterns: [] })] },
  })),
  {
    files: ['jobs/**/*.ts', 'bin/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restImports] },
  },
  {
    files: ['adapters/**/*.ts', 'jobs/**/*.ts'],
    ignores: clientLayers,
    rules: { 'no-restricted-syntax': ['error', ...restSyntax] },
  },
  {
    files: ['src/**/*.ts', 'adapters/**/*.ts', 'jobs/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config.ts reads the environment.' },
      ],
    },
  },
);
