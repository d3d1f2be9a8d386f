import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the Patchloop server at `/`; in development
// `vite` proxies the API to a server on :8080.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 900 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
