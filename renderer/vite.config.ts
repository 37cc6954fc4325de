// Renderer-only build (browser mode): `vite build --config renderer/vite.config.ts` -> out/renderer.
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [vue()],
  resolve: { alias: { '@': here } },
  build: { outDir: fileURLToPath(new URL('../out/renderer', import.meta.url)), emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
