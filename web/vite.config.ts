import vue from '@vitejs/plugin-vue';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** The server `npm run dev:web` talks to (its /api, /ws and /public are proxied). */
const target = process.env.NATTER_URL ?? 'http://127.0.0.1:7001';

export default defineConfig({
  root,
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      '/api': target,
      '/public': target,
      '/ws': { target: target.replace(/^http/, 'ws'), ws: true },
    },
  },
});
