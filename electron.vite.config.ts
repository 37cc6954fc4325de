// electron-vite: three roots, no src/. main/ (Electron main process, entry main/app/index.ts),
// preload/ (contextBridge, entry preload/index.ts), renderer/ (Vue app, index.html). Output in out/.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    // dependencies stay external (externalizeDeps, on by default): electron-builder packs them in node_modules
    build: { outDir: 'out/main', rollupOptions: { input: { index: resolve(root, 'main/app/index.ts') } } },
  },
  preload: {
    // a sandboxed preload can require only 'electron': it must be CommonJS with every dependency bundled in
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(root, 'preload/index.ts') }, external: ['electron'], output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue()],
    resolve: { alias: { '@': resolve(root, 'renderer') } },
    build: { outDir: resolve(root, 'out/renderer'), rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } } },
  },
});
