import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { startContentService } from "@marquee/content";
import { BrowseSort, ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { resolveFfmpeg } from "@marquee/streaming/ingest/ffmpeg";
import { makeSyntheticSource } from "@marquee/streaming/ingest/synthetic";
import test from "ava";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../ingest.ts", import.meta.url));

test("running the same ingest twice publishes one title, with the second run's media", async (t) => {
  t.timeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-ingest-cli-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dir,
    MARQUEE_CONTENT_PORT: "0",
    MARQUEE_CONTENT_SEED_ON_EMPTY: "0",
    MARQUEE_LOG_LEVEL: "silent",
  };
  const content = await startContentService(env);
  t.teardown(() => content.close());
  const source = path.join(dir, "clip.mp4");
  await makeSyntheticSource(resolveFfmpeg(), source, { seconds: 2 });
  const ingest = async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [
        "--conditions=marquee-source",
        "--import=tsx",
        CLI,
        source,
        "--title",
        "Twice Told",
        "--preset",
        "ultrafast",
      ],
      {
        env: {
          ...process.env,
          ...env,
          MARQUEE_CONTENT_URL: content.url,
          MARQUEE_MEDIA_DIR: path.join(dir, "media"),
        },
      },
    );
    const m = /attached asset (\S+) to title (\S+)/.exec(stdout);
    if (m === null) throw new Error(`unexpected output: ${stdout}`);
    return {
      assetId: m[1],
      contentId: m[2],
      progress: stderr.split("\n").filter((l) => l.startsWith("ingest: ")),
    };
  };
  const first = await ingest();
  // stderr is a pipe here, as in a CI log: the progress comes as plain lines, from the start to the end.
  t.regex(first.progress[0] ?? "", /^ingest: 0% \| starting \| ETA /);
  t.regex(first.progress.at(-1) ?? "", /^ingest: 100% \| /);
  const second = await ingest();
  t.is(second.contentId, first.contentId, "the same title");
  t.not(second.assetId, first.assetId);
  const client = createClient(ContentService, createGrpcTransport({ baseUrl: content.url }));
  const drama = await client.browseContent({ genreId: "drama", sort: BrowseSort.NEWEST, pageSize: 10 });
  t.deepEqual(
    drama.contents.filter((c) => c.title === "Twice Told").map((c) => c.contentId),
    [first.contentId],
  );
  t.is(
    (await client.getContentDetails({ contentId: first.contentId })).content?.media?.assetId,
    second.assetId,
  );
});
