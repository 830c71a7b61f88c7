// @ts-check
import js from '@eslint/js';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const drivers = ['better-sqlite3', 'pg', 'mysql2', 'mysql2/*'];
const io = ['fastify', '@fastify/*', 'kysely', 'ws', 'ioredis', ...drivers];

/** Import boundaries of DESIGN §2, as `no-restricted-imports` patterns per layer. */
const layer = (files, groups, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group, message })) }],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**', 'openapi.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
    },
  },
  // Only config.ts reads the environment.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read settings through config.ts.' },
      ],
    },
  },
  layer(
    ['src/domain/**/*.ts'],
    [
      [...io, 'node:fs', 'fs', 'node:net', 'node:http'],
      ['**/services/**', '**/store/**', '**/http/**', '**/realtime/**', '**/bus/**', '**/files/**', '**/compose/**', '**/app.js'],
    ],
    'domain/ is pure: types and rules, no IO and no other layer.',
  ),
  layer(
    ['src/services/**/*.ts'],
    [
      io,
      [
        '**/http/**',
        '**/realtime/**',
        '**/app.js',
        '**/store/kysely-store.js',
        '**/store/repos/**',
        '**/store/dialects/**',
        '**/store/migrations/**',
        '**/bus/*-bus.js',
        '**/files/local*',
        '**/files/s3*',
        '**/compose/**',
      ],
    ],
    'services/ depend on ports (store/port, bus/port, files/port) and domain only.',
  ),
  layer(
    ['src/http/**/*.ts'],
    [
      [...drivers, 'kysely', 'ws', 'ioredis'],
      ['**/realtime/**', '**/store/**', '**/bus/**', '**/compose/**', '**/app.js'],
    ],
    'http/ reaches the rest through services; it never imports realtime, storage or the bus.',
  ),
  layer(
    ['src/realtime/**/*.ts'],
    [
      [...drivers, 'kysely', 'fastify', 'ioredis'],
      ['**/http/**', '**/store/**', '**/compose/**', '**/app.js'],
    ],
    'realtime/ reaches the rest through services and the bus port; it never imports http or storage.',
  ),
  layer(
    ['src/store/**/*.ts'],
    [
      ['fastify', '@fastify/*', 'ws', 'ioredis'],
      ['**/services/**', '**/http/**', '**/realtime/**', '**/bus/**', '**/compose/**', '**/app.js'],
    ],
    'store/ knows nothing of HTTP, sockets or services.',
  ),
  layer(
    ['src/store/*.ts', 'src/store/repos/**/*.ts', 'src/store/migrations/**/*.ts'],
    [drivers],
    'Only store/dialects/* imports database drivers.',
  ),
  layer(
    ['src/bus/**/*.ts'],
    [
      [...drivers, 'kysely', 'fastify', 'ws'],
      ['**/services/**', '**/http/**', '**/realtime/**', '**/store/**', '**/compose/**', '**/app.js'],
    ],
    'bus/ is a transport: no storage, no HTTP, no sockets.',
  ),
  layer(
    ['src/migrate/**/*.ts'],
    [
      ['fastify', '@fastify/*', 'ws'],
      ['**/services/**', '**/http/**', '**/realtime/**', '**/bus/**', '**/compose/**', '**/app.js'],
    ],
    "migrate/ reads the seed's own MySQL and Redis and writes through store/import-target; no HTTP, sockets, services or bus.",
  ),
  {
    files: ['src/bus/**/*.ts'],
    ignores: ['src/bus/redis-bus.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'ioredis', message: 'Only bus/redis-bus.ts imports the Redis client.' }] }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  ...webClient(),
);

/**
 * The browser client (web/): Vue's recommended rules without its layout rules (Prettier lays
 * out), TypeScript in .vue files, browser globals; the server's layer rules above name src/ only.
 */
function webClient() {
  const code = ['web/**/*.ts', 'web/**/*.vue'];
  return [
    ...pluginVue.configs['flat/recommended'].map((c) => ({ ...c, files: c.files ? ['web/**/*.vue'] : code })),
    { ...pluginVue.configs['no-layout-rules'], files: code },
    {
      files: ['web/**/*.vue'],
      languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
      // As in .ts files: the compiler (vue-tsc) finds undefined names, with types in view.
      rules: { 'no-undef': 'off' },
    },
    { files: code, languageOptions: { globals: { ...globals.browser } } },
    // The browser tests and the Vite config run in Node.
    {
      files: ['web/e2e/**/*.ts', 'web/vite.config.ts', 'scripts/**/*.mjs', 'bin/*.mjs'],
      languageOptions: { globals: { ...globals.node } },
      rules: { 'no-console': 'off' },
    },
  ];
}
