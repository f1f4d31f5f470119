import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The built UI is served by `prefect-ts server start` at `/`; `npm run dev` proxies the API to a
// server on 127.0.0.1:4200.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      "/api": "http://127.0.0.1:4200",
      "/ui-settings": "http://127.0.0.1:4200",
    },
  },
});
