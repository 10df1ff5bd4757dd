import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify, stripVTControlCharacters } from "node:util";
import { Code, ConnectError } from "@connectrpc/connect";
import { ConfigError, logSettings, retryFields, rpcLogLevel } from "@marquee/kit";
import test from "ava";

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL("./fixtures/log-lines.ts", import.meta.url));
const NODE = [process.execPath, "--conditions=marquee-source", "--import=tsx", FIXTURE];

/** What the fixture prints with stdout a pipe. */
async function piped(env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(NODE[0] as string, NODE.slice(1), { env: { ...process.env, ...env } });
  return stdout;
}

/** What it prints with stdout a terminal: run under script(1), which gives it a pseudo-terminal. */
async function onTerminal(env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run("script", ["-qec", NODE.join(" "), "/dev/null"], {
    env: { ...process.env, TERM: "xterm", ...env },
  });
  return stdout;
}

test("format: auto is readable on a terminal, JSON elsewhere; MARQUEE_LOG_FORMAT forces one", (t) => {
  t.is(logSettings({}, true).format, "pretty");
  t.is(logSettings({}, false).format, "json");
  t.is(logSettings({ MARQUEE_LOG_FORMAT: "json" }, true).format, "json");
  t.is(logSettings({ MARQUEE_LOG_FORMAT: "pretty" }, false).format, "pretty");
  t.is(logSettings({}, false).rpcLevel, "info");
  const err = t.throws(() => logSettings({ MARQUEE_LOG_FORMAT: "yaml" }, true), { instanceOf: ConfigError });
  t.regex(err?.message ?? "", /MARQUEE_LOG_FORMAT="yaml"/);
});

test("a pipe gets one JSON line per entry, with the component and the fields", async (t) => {
  const lines = (await piped()).trim().split("\n");
  t.is(lines.length, 1);
  const entry = JSON.parse(lines[0] as string);
  t.like(entry, { level: 40, component: "fixture", port: 7102, msg: "waiting for content" });
});

test("a terminal gets one readable line; MARQUEE_LOG_FORMAT=json keeps JSON there", async (t) => {
  const text = stripVTControlCharacters(await onTerminal()).trim();
  t.is(text.split("\n").length, 1, text);
  t.regex(text, /^\[\d\d:\d\d:\d\d\] WARN \(fixture\): waiting for content \{"port":7102\}$/);
  t.throws(() => JSON.parse(text));

  const json = JSON.parse((await onTerminal({ MARQUEE_LOG_FORMAT: "json" })).trim());
  t.like(json, { level: 40, msg: "waiting for content" });
});

test("access lines: info by default; at debug, failures a member causes stay quiet and faults still warn", (t) => {
  const info = { format: "json", rpcLevel: "info" } as const;
  const debug = { format: "pretty", rpcLevel: "debug" } as const;
  t.is(rpcLogLevel(undefined, info), "info");
  t.is(rpcLogLevel(Code.NotFound, info), "warn");
  t.is(rpcLogLevel(undefined, debug), "debug");
  t.is(rpcLogLevel(Code.NotFound, debug), "debug");
  t.is(rpcLogLevel(Code.Unauthenticated, debug), "debug");
  t.is(rpcLogLevel(Code.Internal, debug), "warn");
  t.is(rpcLogLevel(Code.Unavailable, debug), "warn");
});

test("a retried transient failure is logged as its message, anything else with its stack", (t) => {
  const down = new ConnectError("connect ECONNREFUSED 127.0.0.1:7102", Code.Unavailable);
  t.deepEqual(retryFields(down), { error: "[unavailable] connect ECONNREFUSED 127.0.0.1:7102" });
  const bug = new TypeError("x is undefined");
  t.deepEqual(retryFields(bug), { err: bug });
});

test("with tracing on, a line written inside a span names its trace and span; one outside names none", async (t) => {
  const TRACED = fileURLToPath(new URL("./fixtures/traced-log-lines.ts", import.meta.url));
  const { stdout } = await run(process.execPath, ["--conditions=marquee-source", "--import=tsx", TRACED], {
    env: { ...process.env, MARQUEE_LOG_FORMAT: "json" },
  });
  // The log lines and the fixture's own last write go through different streams: find them by content.
  const lines = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const inside = lines.find((l) => l.msg === "inside");
  const outside = lines.find((l) => l.msg === "outside");
  const span = lines.find((l) => "traceId" in l);
  t.is(inside.msg, "inside");
  t.regex(span.traceId, /^[0-9a-f]{32}$/);
  t.is(inside.trace_id, span.traceId);
  t.is(inside.span_id, span.spanId);
  t.is(outside.msg, "outside");
  t.false("trace_id" in outside);
});

test("with tracing off, lines carry no trace fields", async (t) => {
  const entry = JSON.parse((await piped()).trim());
  t.false("trace_id" in entry);
  t.false("span_id" in entry);
});
