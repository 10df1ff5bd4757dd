// Every test: `npm test` runs these after bringing the backends up.
export default {
  extensions: { ts: "module" },
  nodeArguments: ["--conditions=marquee-source", "--import=tsx"],
  timeout: "2m",
  // Child processes, so the tsx loader in nodeArguments applies to every test file.
  workerThreads: false,
  files: [
    "services/*/test/**/*.test.ts",
    "gateway/test/**/*.test.ts",
    "gen/test/**/*.test.ts",
    "scripts/**/test/**/*.test.ts",
    "bench/test/**/*.test.ts",
    "web-player/test/**/*.test.ts",
  ],
};
