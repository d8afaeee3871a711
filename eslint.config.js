// Lint enforces the layering CONTRIBUTING.md describes: src/ is the platform-neutral core, adapters/ render one platform
// each and never touch the queue, jobs/ is the only layer that wires both.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

const sdkModules = ['discord.js', '@discordjs/*', '@slack/*', 'bullmq', 'express'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
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
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/jobs/**', 'bullmq'], message: 'Adapters never touch the queue.' },
            {
              group: ['console', 'discord', 'slack']
                .filter((other) => other !== platform)
                .map((other) => `**/adapters/${other}/**`),
              message: 'Adapters never import each other.',
            },
          ],
        },
      ],
    },
  })),
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
