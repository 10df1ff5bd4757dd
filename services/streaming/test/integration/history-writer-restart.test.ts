import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { EVENTS, encodeEvent } from "@marquee/kit/bus";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import test from "ava";
import { HISTORY_WRITER } from "../../src/history/writer.js";
import { uuidv7 } from "../../src/playback/session-id.js";
import { freshKeyspace } from "./keyspace.js";

const backends = loadBackendsConfig();
const SESSIONS = 400;
const BEATS = 10;
/** How a session's BEATS readings are reported: a report of one, then larger ones. */
const REPORTS = [1, 4, 5];
const DURATION_MS = 1_000_000;

function startWriter(keyspace: string, namespace: string, durableFile: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=marquee-source",
      "--import=tsx",
      fileURLToPath(new URL("./fixtures/writer.ts", import.meta.url)),
    ],
    {
      env: {
        ...process.env,
        TEST_KEYSPACE: keyspace,
        TEST_NAMESPACE: namespace,
        TEST_DURABLE_FILE: durableFile,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      if (line === "ready") resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`writer exited with ${code}`)));
  });
}

test("the history-writer killed mid-stream and restarted loses no report and counts nothing twice", async (t) => {
  t.timeout(120_000);
  const ks = await freshKeyspace();
  t.teardown(() => ks.drop());
  const keyspace = ks.client.keyspace as string;
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const log = createLogger("test", "silent");
  const bus = await createJetStreamBus({ config: backends.nats, name: "publisher", log, namespace });
  t.teardown(() => bus.close());

  // SESSIONS viewers, BEATS readings each in REPORTS, the reports published in a shuffled order (some late).
  const t0 = Date.now() - 3_600_000;
  const sessions = Array.from({ length: SESSIONS }, () => ({
    sessionId: uuidv7(t0),
    profileId: randomUUID(),
    contentId: randomUUID(),
  }));
  const events = sessions.flatMap((s) => {
    let next = 1;
    return REPORTS.map((size) => {
      const seqs = Array.from({ length: size }, (_, i) => next + i);
      next += size;
      return {
        subject: EVENTS.playbackReport.subject(s.profileId),
        data: encodeEvent(EVENTS.playbackReport, {
          ...s,
          userId: randomUUID(),
          duration: durationFromMs(DURATION_MS),
          deviceId: "tv",
          readings: seqs.map((seq) => ({
            sequence: BigInt(seq),
            eventTime: timestampFromMs(t0 + seq * 10_000),
            position: durationFromMs(100_000 + seq * 10_000),
            state: 1,
          })),
        }),
        msgId: `${s.sessionId}:${seqs[0]}-${seqs.at(-1)}`,
      };
    });
  });
  events.sort(() => Math.random() - 0.5);
  const half = Math.floor(events.length / 2);
  for (const e of events.slice(0, half)) await bus.publish(e.subject, e.data, e.msgId);

  const durableFile = path.join(mkdtempSync(path.join(tmpdir(), "marquee-writer-")), "durable.txt");
  t.teardown(() => rmSync(path.dirname(durableFile), { recursive: true, force: true }));
  /** msgId → how many times a writer made it durable, and how many readings it carried. */
  const seen = () => {
    const counts = new Map<string, { times: number; readings: number }>();
    for (const line of readFileSync(durableFile, "utf8").split("\n")) {
      const [id, readings] = line.split(" ");
      if (id === undefined || id === "") continue;
      counts.set(id, { times: (counts.get(id)?.times ?? 0) + 1, readings: Number(readings) });
    }
    return counts;
  };
  writeFileSync(durableFile, "");
  const first = await startWriter(keyspace, namespace, durableFile);
  // Publish the rest while it writes, then kill it without warning part-way.
  const publishing = (async () => {
    for (const e of events.slice(half)) await bus.publish(e.subject, e.data, e.msgId);
  })();
  await waitFor("some reports durable", () => seen().size >= events.length / 10, 30_000);
  first.kill("SIGKILL");
  await once(first, "exit");
  const durableAtKill = seen().size;
  t.true(durableAtKill < events.length, `killed mid-stream (${durableAtKill} of ${events.length} durable)`);
  const nc = await connectNats(backends.nats, "inspect");
  t.teardown(() => nc.close());
  const jsm = await natsManager(nc);
  const stranded = (await jsm.consumers.info(`${namespace.toUpperCase()}_PLAYBACK`, HISTORY_WRITER))
    .num_ack_pending;
  t.true(stranded > 0, "reports were out to the killed writer, unacknowledged: they straddle the restart");
  await publishing;
  // A replayed publish of already-sent reports is dropped by the stream's dedupe window.
  for (const e of events.slice(0, 50)) await bus.publish(e.subject, e.data, e.msgId);

  const second = await startWriter(keyspace, namespace, durableFile);
  t.teardown(() => {
    second.kill("SIGKILL");
  });
  await waitFor("every report durable", () => seen().size === events.length, 90_000);
  t.is(
    [...seen().values()].reduce((n, r) => n + r.readings, 0),
    SESSIONS * BEATS,
    "every reading, in the report it came in",
  );

  // Nothing pending or unacknowledged on the durable consumer.
  await waitFor(
    "the consumer to settle",
    async () => {
      const info = await jsm.consumers.info(`${namespace.toUpperCase()}_PLAYBACK`, HISTORY_WRITER);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    },
    60_000,
  );
  const stream = await jsm.streams.info(`${namespace.toUpperCase()}_PLAYBACK`);
  t.is(stream.state.messages, events.length, "the replayed publishes were deduplicated");

  // Every session ends at its last reading, with exactly one history entry: nothing lost, nothing counted twice.
  const progress = await ks.client.execute("SELECT profile_id, position_ms FROM playback_progress", [], {
    fetchSize: 10_000,
  });
  t.is(progress.rowLength, SESSIONS);
  t.true(progress.rows.every((r) => Number(r.position_ms) === 100_000 + BEATS * 10_000));
  const history = await ks.client.execute(
    "SELECT profile_id, session_id, position_ms FROM viewing_history",
    [],
    { fetchSize: 10_000 },
  );
  t.is(history.rowLength, SESSIONS);
  t.is(new Set(history.rows.map((r) => String(r.session_id))).size, SESSIONS);
  t.true(history.rows.every((r) => Number(r.position_ms) === 100_000 + BEATS * 10_000));
  const redelivered = [...seen().values()].filter((r) => r.times > 1).length;
  t.log(
    `${durableAtKill} of ${events.length} reports durable before the kill, ${stranded} out to it unacknowledged; ${redelivered} written twice (at-least-once) without changing the outcome`,
  );
});
