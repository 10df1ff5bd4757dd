import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Code, ConnectError, createContextValues, type HandlerContext } from "@connectrpc/connect";
import {
  type Caller,
  callerKey,
  createLogger,
  decodePageToken,
  encodePageToken,
  loadBackendsConfig,
  requireInternal,
  requireScope,
  requireSelf,
} from "@marquee/kit";
import { openEventBus, redeliveryDelayMs } from "@marquee/kit/bus";
import test from "ava";
import { z } from "zod";
import { waitFor } from "../src/testing/index.js";

function ctxOf(caller: Caller): HandlerContext {
  const values = createContextValues().set(callerKey, caller);
  return { values } as unknown as HandlerContext;
}

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return ConnectError.from(err).code;
  }
};

test("ownership: a member reaches only their own account; internal callers reach any", (t) => {
  const alice = ctxOf({ kind: "member", userId: "alice", scopes: [] });
  t.is(
    codeOf(() => requireSelf(alice, "alice")),
    undefined,
  );
  t.is(
    codeOf(() => requireSelf(alice, "bob")),
    Code.PermissionDenied,
  );
  t.is(
    codeOf(() => requireSelf(ctxOf({ kind: "anonymous", scopes: [] }), "alice")),
    Code.Unauthenticated,
  );
  t.is(
    codeOf(() => requireSelf(ctxOf({ kind: "internal", scopes: [] }), "alice")),
    undefined,
  );
  t.is(
    codeOf(() => requireInternal(alice)),
    Code.PermissionDenied,
  );
});

test("scopes: a partner needs the named scope", (t) => {
  t.is(
    codeOf(() =>
      requireScope(ctxOf({ kind: "partner", partnerId: "p", scopes: ["catalog:write"] }), "catalog:write"),
    ),
    undefined,
  );
  t.is(
    codeOf(() => requireScope(ctxOf({ kind: "partner", partnerId: "p", scopes: [] }), "catalog:write")),
    Code.PermissionDenied,
  );
  t.is(
    codeOf(() => requireScope(ctxOf({ kind: "anonymous", scopes: [] }), "catalog:write")),
    Code.Unauthenticated,
  );
});

test("page tokens round-trip, and a forged one is InvalidArgument", (t) => {
  const schema = z.object({ after: z.string() });
  t.deepEqual(decodePageToken(encodePageToken({ after: "x" }), schema), { after: "x" });
  t.is(decodePageToken("", schema), undefined);
  for (const bad of ["%%%", encodePageToken({ before: 1 }), "eyJ"]) {
    t.is(
      codeOf(() => decodePageToken(bad, schema)),
      Code.InvalidArgument,
      bad,
    );
  }
});

test("embedded services of one process share one bus, closed with its last user", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-shared-bus-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const backends = loadBackendsConfig({ MARQUEE_EMBEDDED_DATA_DIR: dir });
  const log = createLogger("test", "silent");
  const a = await openEventBus(backends, "a", log);
  const b = await openEventBus(backends, "b", log);
  const seen: string[] = [];
  const sub = await b.consume({
    stream: "DOMAIN",
    durable: "b",
    handler: async (e) => void seen.push(e.msgId),
  });
  await a.publish("user.deleted", new Uint8Array([1]), "from-a");
  await waitFor("b to see a's event", () => seen.length === 1);
  await sub.stop();
  await a.close();
  await b.publish("user.deleted", new Uint8Array([2]), "still-open");
  await b.close();
  const reopened = await openEventBus(backends, "c", log);
  await reopened.publish("user.deleted", new Uint8Array([3]), "after-reopen");
  await reopened.close();
  t.deepEqual(seen, ["from-a"]);
});

test("redelivery backs off from half a second, doubling, up to 30 s", (t) => {
  t.deepEqual([1, 2, 3, 4, 10, 100].map(redeliveryDelayMs), [500, 1000, 2000, 4000, 30_000, 30_000]);
});
