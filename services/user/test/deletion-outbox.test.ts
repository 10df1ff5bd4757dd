import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createLogger, OPEN_CATALOG, serve } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import { waitFor } from "@marquee/kit/testing";
import { ProfileDeletedSchema, UserDeletedSchema } from "@marquee/sdk/marquee/events/v1/domain_events_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test, { type ExecutionContext } from "ava";
import { TokenIssuer } from "../src/auth/tokens.js";
import { startDeletionRelay } from "../src/outbox.js";
import { userService } from "../src/service.js";
import { EmbeddedUserStore } from "../src/store-embedded.js";
import { Throttle } from "../src/throttle.js";
import { as, newMember, PASSWORD } from "./fixtures.js";

/** A bus that can be switched off, recording what it accepted. */
class FlakyBus implements EventBus {
  down = false;
  published: Array<{ subject: string; data: Uint8Array; msgId: string }> = [];
  async publish(subject: string, data: Uint8Array, msgId: string) {
    if (this.down) throw new Error("bus unreachable");
    this.published.push({ subject, data, msgId });
  }
  async consume(): Promise<never> {
    throw new Error("not used");
  }
  async close() {}
}

/** The user service on an embedded store with a bus that can be switched off. */
async function startWithFlakyBus(t: ExecutionContext) {
  const dir = mkdtempSync(path.join(tmpdir(), "marquee-user-outbox-"));
  const store = await EmbeddedUserStore.open(dir);
  const bus = new FlakyBus();
  const log = createLogger("test", "silent");
  const policy = { limit: 5, windowMs: 60_000, lockoutMs: 1_000, maxLockoutMs: 1_000 };
  const tokens = await TokenIssuer.open(store, 60_000);
  const server = await serve({
    name: "user-test",
    services: [UserService],
    routes: (r) =>
      r.service(
        UserService,
        userService({
          store,
          bus,
          log,
          tokens,
          catalog: OPEN_CATALOG,
          refreshTtlMs: 60_000,
          accountThrottle: new Throttle(policy),
          addressThrottle: new Throttle(policy),
          pinThrottle: new Throttle(policy),
        }),
      ),
    port: 0,
    host: "127.0.0.1",
    log,
  });
  t.teardown(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = createClient(UserService, createGrpcTransport({ baseUrl: server.url }));
  return { store, bus, log, client };
}

/** Brings the bus back, runs the relay until the outbox is empty, and returns the one event it published. */
async function relayWithBusBack(
  t: ExecutionContext,
  { store, bus, log }: Pick<Awaited<ReturnType<typeof startWithFlakyBus>>, "store" | "bus" | "log">,
) {
  bus.down = false;
  const relay = startDeletionRelay(store, bus, log, 50);
  t.teardown(() => relay.stop());
  await waitFor(
    "the relay to publish",
    async () =>
      (await store.pendingDeletions()).length === 0 && (await store.pendingProfileDeletions()).length === 0,
  );
  t.is(bus.published.length, 1);
  return bus.published[0];
}

test("a deletion whose event could not be published is published later by the relay, once", async (t) => {
  const { store, bus, log, client } = await startWithFlakyBus(t);
  const { user } = await client.registerUser(newMember());
  const userId = user?.userId ?? "";
  const me = as({ kind: "member", userId });
  const profile = (await client.createProfile({ userId, name: "Solo" }, me)).profile;

  bus.down = true;
  await client.deleteUser({ userId, password: PASSWORD }, me);
  t.is(bus.published.length, 0);
  t.deepEqual(
    (await store.pendingDeletions()).map((d) => d.userId),
    [userId],
    "the member is gone and the event waits in the outbox",
  );
  t.is(await store.getUser(userId), undefined);

  const event = await relayWithBusBack(t, { store, bus, log });
  t.is(event?.subject, "user.deleted");
  t.is(event?.msgId, `user.deleted:${userId}`);
  const decoded = fromBinary(UserDeletedSchema, event?.data ?? new Uint8Array());
  t.deepEqual(decoded.profileIds, [profile?.profileId]);
  const keys = (await store.dump()).filter(([k, v]) => k.includes(userId) || v.includes(userId));
  t.deepEqual(keys, [], "no row of the member remains");
});

test("a profile deletion whose event could not be published is published later by the relay, once", async (t) => {
  const { store, bus, log, client } = await startWithFlakyBus(t);
  const { user } = await client.registerUser(newMember());
  const userId = user?.userId ?? "";
  const me = as({ kind: "member", userId });
  const profileId = (await client.createProfile({ userId, name: "Gone" }, me)).profile?.profileId ?? "";

  bus.down = true;
  await client.deleteProfile({ profileId }, me);
  t.is(bus.published.length, 0);
  t.is(await store.getProfile(userId, profileId), undefined);
  t.deepEqual(
    (await store.pendingProfileDeletions()).map((d) => d.profileId),
    [profileId],
    "the profile is gone and its event waits in the outbox",
  );

  const event = await relayWithBusBack(t, { store, bus, log });
  t.is(event?.subject, "profile.deleted");
  t.is(event?.msgId, `profile.deleted:${profileId}`);
  const decoded = fromBinary(ProfileDeletedSchema, event?.data ?? new Uint8Array());
  t.is(decoded.profileId, profileId);
  t.is(decoded.userId, userId);
});
