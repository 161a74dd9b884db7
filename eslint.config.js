// ESLint with typescript-eslint's type-aware rules: the mistakes a type check does not catch
// (promises nobody awaits or that go where a callback's return is ignored, switches that miss
// a case, unused code). `npm run lint`, and `npm test` runs it.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // ui/src/api-types.ts is generated from the OpenAPI document (npm run generate:api-types).
  { ignores: ['node_modules/', 'ui/dist/', 'data/', 'test-results/', 'test-artifacts/', '.scratch/', 'ui/src/api-types.ts', 'build/', 'build.*/', 'build-test-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'ui/*.mjs', 'bin/*.js', 'test/helpers/*.mjs', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // JSX handlers may be async (React ignores what they return); everywhere else a promise
      // where a void callback is expected is a bug.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // Input cleaning matches control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // zod, pg and JSON bodies hand us `unknown`/`any` at the edges; the type checker already
      // guards what we do with them, and these rules flag every use of a parsed body.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // An async function that implements a promise-returning contract (a Fastify plugin, an
      // interface method) without awaiting anything is correct as it is.
      '@typescript-eslint/require-await': 'off',
      // Its fixes broke types here twice (an assertion that picks an overload), and `json() as T`
      // in tests reads better than the generic it asks for.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Re-throwing what a catch or a callback received (of unknown type) is fine.
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['ui/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    // The classic rules of hooks. The React Compiler's rules (refs, purity, …) are left out:
    // the app does not use the compiler, and its "latest callback in a ref" pattern is deliberate.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Shared with the browser: nothing from Node, nothing outside src/shared.
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', '../*', '!./*'], message: 'src/shared is imported by the browser: import only from src/shared.' }] }],
    },
  },
  {
    // Provider adapters are leaves: HTTP in, neutral records out.
    files: ['src/providers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/rosters/*', '**/results/*', '**/display/*', '**/templates/*', '**/sync/*', '**/accounts/*', '**/db/*', '**/web/*'], message: 'Providers are leaves: they import nothing from our domains.' }] }],
    },
  },
  {
    // web/ is the assembly: only entry points and tests may import it.
    files: ['src/**/*.ts'],
    ignores: ['src/web/**', 'src/commands/**', 'src/cli.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/web/*'], message: 'web/ assembles the domains; domains must not import it.' }] }],
    },
  },
);
