import { randomBytes } from "node:crypto";
import { durationFromMs, durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Caller, createLogger, loadBackendsConfig } from "@marquee/kit";
import { EVENTS, encodeEvent } from "@marquee/kit/bus";
import { connectNats, createJetStreamBus, natsManager } from "@marquee/kit/bus/jetstream";
import { waitFor } from "@marquee/kit/testing";
import test, { type ExecutionContext } from "ava";
import { QoeAggregate } from "../../src/qoe/aggregate.js";
import { startQoeConsumer } from "../../src/qoe/consumer.js";
import { startHarness } from "../harness.js";
import { plainFigures, qoeSimulation } from "../qoe-simulation.js";

const nats = loadBackendsConfig().nats;
const log = createLogger("test", "silent");

/** A JetStream bus in a namespace of its own, its streams deleted after the test. */
async function namespacedBus(t: ExecutionContext) {
  const namespace = `t${randomBytes(4).toString("hex")}`;
  const bus = await createJetStreamBus({ config: nats, name: "qoe-test", log, namespace });
  t.teardown(async () => {
    await bus.close();
    const nc = await connectNats(nats, "cleanup");
    const jsm = await natsManager(nc);
    for (const s of ["PLAYBACK", "DOMAIN"])
      await jsm.streams.delete(`${namespace.toUpperCase()}_${s}`).catch(() => {});
    await nc.close();
  });
  return bus;
}

/** The simulation's first minute, so that its last reading is in the past. */
const recentStart = () => Math.floor((Date.now() - 110_000) / 60_000) * 60_000;

test("reports published to PLAYBACK on the real NATS reach the aggregate through its consumer, a redelivered one counted once", async (t) => {
  const bus = await namespacedBus(t);
  const sim = qoeSimulation(recentStart());
  for (const r of sim.reports)
    await bus.publish(
      EVENTS.playbackReport.subject(r.report.profileId),
      encodeEvent(EVENTS.playbackReport, r.report),
      // The repeated report gets an id of its own, so the stream keeps it and the aggregate sees it twice.
      `${r.msgId}:${randomBytes(2).toString("hex")}`,
    );
  const qoe = new QoeAggregate();
  const sub = await startQoeConsumer(bus, qoe, log);
  t.teardown(() => sub.stop());
  const total = await waitFor(
    "all six reports aggregated",
    () => {
      const s = qoe.summary(5 * 60_000, 10, Date.now());
      return s.sessions.length === 2 && s.total?.watchTime && durationMs(s.total.watchTime) >= 95_000
        ? s.total
        : undefined;
    },
    20_000,
  );
  t.deepEqual(plainFigures(total), sim.expected.total);
  const { titles, countries } = qoe.summary(5 * 60_000, 10, Date.now());
  t.deepEqual(
    titles.map((g) => [g.key, plainFigures(g.figures)]),
    [
      [sim.titleA, sim.expected.a],
      [sim.titleB, sim.expected.b],
    ],
  );
  t.deepEqual(
    countries.map((g) => g.key),
    ["SE", ""],
  );
});

test("GetQoeSummary: a member gets PermissionDenied, an operator the figures of the heartbeats sent (SendHeartbeats → NATS → consumer)", async (t) => {
  const bus = await namespacedBus(t);
  const h = await startHarness({ bus });
  t.teardown(() => h.close());
  const sim = qoeSimulation(recentStart());
  const m = h.member();
  const viewer = h.as(m.caller);
  for (const reports of [sim.heartbeats.a, sim.heartbeats.b]) {
    const { sessionId } = await viewer.streamContent({
      profileId: m.profileId,
      contentId: h.contentId,
      deviceId: "tv",
    });
    for (const readings of reports) await viewer.sendHeartbeats({ sessionId, readings });
  }

  const request = { window: durationFromMs(5 * 60_000), sessionLimit: 10 };
  const refused = await t.throwsAsync(viewer.getQoeSummary(request));
  t.is(ConnectError.from(refused).code, Code.PermissionDenied);

  const operator: Caller = { ...m.caller, roles: ["operator"] };
  const summary = await waitFor(
    "both sessions' reports aggregated",
    async () => {
      const s = await h.as(operator).getQoeSummary(request);
      const watched = s.total?.watchTime ? durationMs(s.total.watchTime) : 0;
      return s.total?.sessions === 2 && watched >= 95_000 ? s : undefined;
    },
    20_000,
  );
  t.deepEqual(plainFigures(summary.total), sim.expected.total);
  t.deepEqual(
    summary.titles.map((g) => [g.key, g.figures?.sessions]),
    [[h.contentId, 2]],
  );
  t.is(summary.minutes.length, 5);
});
