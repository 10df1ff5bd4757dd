import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import test from "ava";
import { startPlatform } from "../../web-player/test/integration/platform.js";

/**
 * The package as a partner gets it: `npm pack` (which must leave nothing
 * behind in the checkout), installed into an empty project, its example run
 * against a plain `npm start` (with the local partner key it prints), and the
 * package used from CommonJS: require, dynamic import and TypeScript.
 */
const run = promisify(execFile);
const gen = fileURLToPath(new URL("../", import.meta.url));
const root = path.join(gen, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

test("npm pack, install into an empty project, run an example and a CommonJS program against npm start", async (t) => {
  t.timeout(900_000);
  const scratch = mkdtempSync(path.join(tmpdir(), "marquee-sdk-pack-"));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const app = path.join(scratch, "partner-app");

  const [platform] = await Promise.all([
    startPlatform({ env: { MARQUEE_DEMO_TITLES: "0" } }),
    (async () => {
      await run(npm, ["pack", "--pack-destination", scratch], { cwd: gen, timeout: 600_000 });
      t.false(existsSync(path.join(gen, "dist")), "npm pack leaves no build output in gen/");
      const tarball = readdirSync(scratch).find((f) => f.endsWith(".tgz"));
      if (tarball === undefined) throw new Error("npm pack wrote no tarball");
      mkdirSync(app);
      // A CommonJS project: no "type" field.
      writeFileSync(
        path.join(app, "package.json"),
        '{ "name": "partner-app", "version": "1.0.0", "private": true }\n',
      );
      await run(
        npm,
        ["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(scratch, tarball)],
        {
          cwd: app,
          timeout: 300_000,
        },
      );
    })(),
  ]);
  t.teardown(() => platform.stop());
  const env: NodeJS.ProcessEnv = { ...process.env, MARQUEE_URL: platform.gatewayUrl };
  delete env.MARQUEE_API_KEY;

  // The example as shipped, run the way gen/README.md says (an ES module copy, tsx).
  copyFileSync(
    path.join(app, "node_modules/@marquee/sdk/examples/list-genres.ts"),
    path.join(app, "list-genres.mts"),
  );
  const tsx = fileURLToPath(import.meta.resolve("tsx"));
  const example = await run(process.execPath, ["--import", tsx, "list-genres.mts"], { cwd: app, env });
  t.regex(example.stdout, /drama/i, "the seeded genres, read with the local partner key");

  // CommonJS: require() gets CommonJS all the way down, so instanceof agrees with @connectrpc/connect.
  writeFileSync(
    path.join(app, "partner.cjs"),
    `const { createMarquee, ConnectError, Code } = require("@marquee/sdk");
const connect = require("@connectrpc/connect");
const { ContentService } = require("@marquee/sdk/marquee/content/v1/content_service_pb");
(async () => {
  const marquee = createMarquee({ baseUrl: process.env.MARQUEE_URL, apiKey: "marquee-local-partner-key" });
  const { genres } = await marquee.content.getGenres({});
  const err = await marquee.content.getGenres({}, { headers: { "x-api-key": "wrong" } }).catch((e) => e);
  const esm = await import("@marquee/sdk");
  console.log(JSON.stringify({
    genres: genres.length,
    code: Code[err.code],
    sameError: err instanceof ConnectError && err instanceof connect.ConnectError,
    service: ContentService.typeName,
    esm: typeof esm.createMarquee,
  }));
})();
`,
  );
  const cjs = JSON.parse((await run(process.execPath, ["partner.cjs"], { cwd: app, env })).stdout);
  t.deepEqual(cjs, {
    genres: cjs.genres,
    code: "Unauthenticated",
    sameError: true,
    service: "marquee.content.v1.ContentService",
    esm: "function",
  });
  t.true(cjs.genres > 0);

  // TypeScript in a CommonJS project with "module": "node16", as gen/README.md tells.
  writeFileSync(
    path.join(app, "check.ts"),
    `import { createMarquee, type Genre } from "@marquee/sdk";
import { SearchContentRequestSchema } from "@marquee/sdk/marquee/content/v1/content_service_pb";
export const names = async (m: ReturnType<typeof createMarquee>): Promise<string[]> =>
  (await m.content.getGenres({})).genres.map((g: Genre) => g.name);
export const schema = SearchContentRequestSchema.typeName;
`,
  );
  writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "node16", strict: true, noEmit: true, skipLibCheck: true, types: [] },
      files: ["check.ts"],
    }),
  );
  const tsc = path.join(root, "node_modules/typescript/bin/tsc");
  await run(process.execPath, [tsc, "-p", "."], { cwd: app, timeout: 300_000 }).catch(
    (err: { stdout: string }) => t.fail(`tsc: ${err.stdout}`),
  );
});
