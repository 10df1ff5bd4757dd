import { defaultClientConditions, defineConfig } from "vite";

/** Paths the gateway answers: RPCs (`/<package>.<Service>/<Method>`) and media. */
const gateway = process.env.MARQUEE_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  resolve: {
    // Load the SDK's TypeScript sources (gen/client, gen/src) instead of a built dist/.
    conditions: ["marquee-source", ...defaultClientConditions],
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // dash.js alone is ~900 kB minified; it gets its own chunk, loaded by the player screen only.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      "^/(marquee|grpc)\\.[^/]+/": { target: gateway, changeOrigin: false },
      "/media/": { target: gateway, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      "^/(marquee|grpc)\\.[^/]+/": { target: gateway, changeOrigin: false },
      "/media/": { target: gateway, changeOrigin: false },
    },
  },
});
