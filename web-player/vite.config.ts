import { constants } from "node:zlib";
import { defaultClientConditions, defineConfig } from "vite";
import { compression, defineAlgorithm } from "vite-plugin-compression2";

/** Paths the gateway answers: RPCs (`/<package>.<Service>/<Method>`) and media. */
const gateway = process.env.MARQUEE_GATEWAY_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  resolve: {
    // Load the SDK's TypeScript sources (gen/client, gen/src) instead of a built dist/.
    conditions: ["marquee-source", ...defaultClientConditions],
  },
  plugins: [
    // Every text asset also as .br and .gz beside it, made once at build time at the highest
    // levels; the gateway (gateway/src/edge/static-files.ts) sends the one the browser accepts (dash.js: 822 KB → ~190 KB).
    compression({
      algorithms: [
        defineAlgorithm("brotliCompress", { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        defineAlgorithm("gzip", { level: 9 }),
      ],
      include: /\.(js|css|html|svg|json)$/,
      threshold: 1024,
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // dash.js alone is ~900 kB minified; it gets its own chunk, fetched before Play is pressed.
    chunkSizeWarningLimit: 1200,
    // Its timing report names only Vite's own import analysis, nothing of ours to act on, and
    // floods every test log that builds the app.
    rolldownOptions: { checks: { bundlerTimings: false } },
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
