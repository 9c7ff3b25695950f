// ESLint flat config: JavaScript's recommended rules, typescript-eslint's, and the type-aware rules
// that catch what bites a server (promises nobody awaits or that go where a callback was expected).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/db/generated/', 'data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The layering rule for pages: views/ renders (the html tag, the layouts, the pages) and
    // depends on nothing but itself and the domain's types; src/http and src/oidc send what it
    // renders. Nothing under views/ may reach into the HTTP layer, the provider or the database.
    files: ['views/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src/http/**', '**/src/oidc/**', '**/src/db/**', '**/src/cli/**'], message: 'views/ depends only on views/ and src/domain.' },
            { group: ['koa', '@koa/*', 'oidc-provider', '@prisma/*'], message: "views/ renders markup; sending it is the HTTP layer's job." },
          ],
        },
      ],
    },
  },
  {
    // Test assertions read JSON responses by shape; typing every body would say nothing more.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
