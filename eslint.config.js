// `npm run lint`: typescript-eslint's recommended rules, its type-checked
// rules for async mistakes, and the walls of the house
// (docs/architecture.md): machines/ imports only xstate and src/vocabulary/,
// and src/vocabulary/ imports nothing but itself.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** An import source a file may not use: anything that does not match `allowed`. */
const onlyThese = (allowed, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ regex: `^(?!(${allowed.join('|')})$)`, message }] }],
});

const vocabulary = '(\\.\\./)+src/vocabulary/[\\w-]+\\.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'docs/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except those that say so with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Data from across a process boundary (events, JSON) is `any` until a codec checks it.
      '@typescript-eslint/no-explicit-any': 'off',
      // `for (;;)` with a break inside is how the stream readers loop.
      'no-constant-condition': ['error', { checkLoops: false }],
      // A `let` that cleanup closures read before the test assigns it is not a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Constants from papers keep the digits they were printed with (the E-PVM base).
      'no-loss-of-precision': 'off',
    },
  },
  {
    // Async mistakes need the types to be seen: a promise nobody awaits or
    // catches, or one passed where a callback's result is ignored.
    files: ['src/**/*.{ts,js}', 'machines/**/*.ts', 'bin/**/*.js', 'bench/**/*.ts', 'test/**/*.ts'],
    // The simulator's network is being rewritten under issue 24 (to drive
    // the real proxy instead of its copy): it takes these rules as it lands.
    ignores: ['test/sim/network.ts'],
    languageOptions: {
      parserOptions: {
        // The probes test/unit/lint-walls.test.ts lints as these files exist only in its memory.
        projectService: { allowDefaultProject: ['machines/probe.ts', 'machines/manager/probe.ts', 'src/vocabulary/probe.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test awaits the tests it is given: their promises are its own.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'suite', 'describe', 'it', 'before', 'after'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // A promise returned from inside try without await escapes its catch and finally.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
    },
  },
  {
    files: ['src/ui/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['machines/*.ts'],
    rules: onlyThese(
      ['xstate', '\\./[\\w./-]+\\.js', vocabulary],
      'machines/ imports only xstate and src/vocabulary/ (docs/architecture.md): effects are supplied by src/ with machine.provide()',
    ),
  },
  {
    files: ['machines/*/**/*.ts'],
    rules: onlyThese(
      ['xstate', '\\./[\\w./-]+\\.js', '\\.\\./[\\w-]+\\.js', vocabulary],
      'machines/ imports only xstate and src/vocabulary/ (docs/architecture.md): effects are supplied by src/ with machine.provide()',
    ),
  },
  {
    files: ['src/vocabulary/**/*.ts'],
    rules: onlyThese(['\\./[\\w-]+\\.js'], 'src/vocabulary/ is the shared words of every layer: it imports nothing but itself'),
  },
);
