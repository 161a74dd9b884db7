// Vite config of the partner dashboard. The root is ui/ (`vite build ui`, `vite ui`); the web
// process serves ui/dist (src/web/spa.ts). In development `vite ui` proxies the API to `p88 start`.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // spa.ts gives files under static/ a year-long immutable cache: their names carry a hash.
    assetsDir: 'static',
    // Two pages: the dashboard, and the display screen (/d/<id>), which carries none of the
    // dashboard's code.
    rollupOptions: { input: { main: page('index.html'), display: page('display.html') } },
  },
  server: {
    proxy: { '/api': 'http://localhost:5000' },
  },
});
