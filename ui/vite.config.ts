// Vite config of the partner dashboard. The root is ui/ (`vite build ui`, `vite ui`); the web
// process serves ui/dist (src/web/spa.ts). In development `vite ui` proxies the API to `p88 start`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // spa.ts gives files under assets/ a year-long immutable cache: their names carry a hash.
    assetsDir: 'assets',
  },
  server: {
    proxy: { '/api': 'http://localhost:5000' },
  },
});
