// Lint rules from STYLE.md: no floating promises, type-only imports, === only, braces always, no
// console in package sources, private state in #fields.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const typed = [
  'packages/*/src/**/*.ts',
  'packages/*/test/**/*.ts',
  'test/**/*.ts',
  'examples/**/*.ts',
];

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'bench/.work/**', '**/storage/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'PropertyDefinition[key.name=/^_/]',
          message: 'Keep private state in #fields, not _names (STYLE.md).',
        },
      ],
    },
  },
  {
    files: typed,
    languageOptions: {
      parserOptions: {
        project: ['./packages/*/tsconfig.json', './tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
);
