// The production bundle served by the edge at / (local/nginx/edge.conf.template); `npm run dev -w
// web` serves it with hot reload and passes the API to the local edge.
import { defineConfig } from "vite";

const edge = process.env.EDGE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    // hls.js (~190 kB gzipped) is its own chunk, loaded by the watch page only.
    chunkSizeWarningLimit: 700,
  },
  server: { proxy: { "/api": edge, "/hls": edge, "/ce": edge } },
});
