import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'resources/**', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Import boundaries (ARCHITECTURE.md): Electron lives in main/app only; the renderer reaches the cluster through the
  // bridge and may share only main/'s pure modules (object shapes, formats, decisions), never the server's rooms.
  {
    files: ['main/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'scripts/**/*.{ts,js,mjs}'],
    ignores: ['main/app/**', 'test/unit/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Electron is used in main/app only: the control plane also runs headless (kubelab serve).' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches the main process through window.kubelab (preload) only.' }],
          patterns: [
            {
              group: ['node:*', 'fs', 'fs/*', 'net', 'child_process', 'os', 'path', 'dockerode'],
              message: 'The renderer runs sandboxed in a browser: no Node modules.',
            },
            {
              regex:
                '(^|/)main/(?!(api/[^/]+|bridge/contract|client/types|trace/types|scheduler/resources|controllers/deployment/decisions|apiserver/registry/endpointslices-format|apiserver/admission/pod-security-policy)$)',
              message:
                "The renderer may import only main/'s pure shared modules (api/, bridge/contract, client/types, trace/types and the named formats/decisions/policies); the cluster is reached through the bridge.",
            },
          ],
        },
      ],
    },
  },
);
