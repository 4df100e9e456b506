import { defineConfig } from 'vite';

// The page and its workers are plain ES modules; shaders come in as text through `?raw`.
export default defineConfig({
  server: { port: 5173, strictPort: false, fs: { allow: ['.'] } },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
});
