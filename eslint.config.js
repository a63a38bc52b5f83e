// ESLint: typescript-eslint's type-checked recommended rules on every TypeScript file; formatting is
// Prettier's (eslint-config-prettier turns off the rules that would fight it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'packages/sdk/src/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // Pages the browser tests load: plain ES modules run by Chromium.
  { files: ['test/browser/**/*.js', 'packages/demo/**/*.js'], languageOptions: { globals: globals.browser } },
  prettier,
);
