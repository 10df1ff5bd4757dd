import { createLogger, DependencyError, serve, waitForDependency } from "@marquee/kit";
import { closedPort, waitFor } from "@marquee/kit/testing";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import test from "ava";
import { pino } from "pino";

/** A logger whose entries the test reads. */
function recordingLog() {
  const entries: Array<Record<string, unknown>> = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void entries.push(JSON.parse(line)) });
  return { log, entries, warnings: () => entries.filter((e) => e.level === 40) };
}

test("a dependency that is not up yet: one warning line, then on as soon as it serves", async (t) => {
  const port = await closedPort();
  const { log, entries, warnings } = recordingLog();
  const url = `http://127.0.0.1:${port}`;
  const waiting = waitForDependency(
    { name: "content", url, service: ContentService.typeName },
    { timeoutMs: 30_000, log },
  );
  await waitFor("the warning", () => warnings().length === 1);

  const content = await serve({
    name: "content",
    services: [ContentService],
    routes: () => {},
    host: "127.0.0.1",
    port,
    log: createLogger("content", "silent"),
  });
  t.teardown(() => content.close());
  await waiting;
  t.is(warnings().length, 1);
  const [warning] = warnings();
  t.like(warning, { dependency: "content", url, msg: "waiting for content to serve" });
  t.regex(String(warning?.reason), /ECONNREFUSED/);
  t.false("err" in (warning ?? {}), "an expected retry logs no error object (and so no stack)");
  t.like(entries.at(-1), { level: 30, msg: "content is serving" });
});

test("a dependency that answers but is not serving (draining) is waited for too", async (t) => {
  const content = await serve({
    name: "content",
    services: [ContentService],
    routes: () => {},
    host: "127.0.0.1",
    port: 0,
    log: createLogger("content", "silent"),
  });
  t.teardown(() => content.close());
  content.health.drain();
  const { log } = recordingLog();
  const err = await t.throwsAsync(
    waitForDependency(
      { name: "content", url: content.url, service: ContentService.typeName },
      // Long enough that a loaded machine still gets an answer in (the message names the last one).
      { timeoutMs: 6_000, log },
    ),
    { instanceOf: DependencyError },
  );
  t.regex(err?.message ?? "", /it answers NOT_SERVING/);
});

test("past the deadline: a clear error naming the dependency, where it was looked for and why", async (t) => {
  const port = await closedPort();
  const { log, warnings } = recordingLog();
  const started = Date.now();
  const err = await t.throwsAsync(
    waitForDependency(
      { name: "content", url: `http://127.0.0.1:${port}`, service: ContentService.typeName },
      { timeoutMs: 500, log },
    ),
    { instanceOf: DependencyError },
  );
  t.true(Date.now() - started < 3_000);
  t.is(
    err?.message,
    `content at http://127.0.0.1:${port} is not serving after 500 ms (connect ECONNREFUSED 127.0.0.1:${port}): start it, or point MARQUEE_CONTENT_URL at it`,
  );
  t.is(warnings().length, 1);
});

test("the wait ends at once when its signal aborts", async (t) => {
  const port = await closedPort();
  const stop = new AbortController();
  const waiting = waitForDependency(
    { name: "content", url: `http://127.0.0.1:${port}`, service: ContentService.typeName },
    { timeoutMs: 60_000, log: recordingLog().log, signal: stop.signal },
  );
  stop.abort();
  const err = await waiting.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  t.is(err?.name, "AbortError");
});
