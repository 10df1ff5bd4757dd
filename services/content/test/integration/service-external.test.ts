import { randomBytes } from "node:crypto";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger, loadBackendsConfig } from "@marquee/kit";
import { EVENTS, publishEvent } from "@marquee/kit/bus";
import { createJetStreamBus } from "@marquee/kit/bus/jetstream";
import { createSearchClient } from "@marquee/kit/opensearch";
import { waitFor } from "@marquee/kit/testing";
import { ContentType } from "@marquee/sdk/marquee/content/v1/content_pb";
import anyTest, { type TestFn } from "ava";
import { Client } from "cassandra-driver";
import { FIXTURE_TITLES } from "../../src/catalog/fixtures.js";
import { uuidV5 } from "../../src/catalog/uuid.js";
import { OpenSearchIndex } from "../../src/search-opensearch.js";
import { CassandraContentStore } from "../../src/store-cassandra.js";
import { CassandraTrendingStore } from "../../src/trending-store-cassandra.js";
import { demoMediaSuite } from "../demo-media-suite.js";
import { type ContentFixture, callers, startFixture } from "../fixture.js";

/**
 * The service on the real backends: Cassandra (fresh keyspace), OpenSearch
 * (fresh alias) and JetStream (fresh namespace), so events really travel
 * through NATS and search really answers from OpenSearch.
 */
const test = anyTest as TestFn<{ f: ContentFixture }>;
const backends = loadBackendsConfig();
const log = createLogger("content-test", "silent");
const suffix = randomBytes(4).toString("hex");
const keyspace = `marquee_test_content_${suffix}`;
const alias = `test-content-svc-${suffix}`;

test.before(async (t) => {
  t.context.f = await startFixture({
    seedSize: 200,
    adapters: async () => {
      const store = await CassandraContentStore.open(backends.cassandra, log, keyspace);
      const client = createSearchClient(backends.opensearch);
      return {
        store,
        trending: new CassandraTrendingStore(store.client),
        search: await OpenSearchIndex.open(client, { alias }),
        bus: await createJetStreamBus({
          config: backends.nats,
          name: "content-test",
          log,
          namespace: `t${suffix}`,
        }),
        cleanup: async () => {
          await client.indices.delete({ index: `${alias}-*` }).catch(() => {});
          await client.indices.deleteIndexTemplate({ name: `${alias}-template` }).catch(() => {});
          const admin = new Client({
            contactPoints: backends.cassandra.contactPoints,
            localDataCenter: backends.cassandra.localDataCenter,
          });
          await admin.connect();
          await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
          await admin.shutdown();
        },
      };
    },
  });
});
test.after.always(async (t) => {
  await t.context.f?.close();
});

demoMediaSuite(test, 200);

const fixtureId = (title: string) => {
  const f = FIXTURE_TITLES.find((x) => x.title === title);
  return uuidV5(`${f?.title}|${f?.year}`);
};

test("an unpublished title leaves OpenSearch within a bounded time; a published one enters it", async (t) => {
  const f = t.context.f;
  const op = f.client(callers.operator);
  const member = f.client(callers.adult);
  const found = async (q: string, id: string) =>
    (await member.searchContent({ query: q, pageSize: 5 })).results.some((r) => r.content?.contentId === id);
  const jaws = fixtureId("Jaws");
  t.true(await found("jaws", jaws), "seeded and indexed");
  await op.unpublishContent({ contentId: jaws });
  await waitFor("Jaws to leave search", async () => !(await found("jaws", jaws)), 10_000);
  await op.publishContent({ contentId: jaws });
  await waitFor("Jaws to come back", () => found("jaws", jaws), 10_000);

  const created = await op.createContent({
    content: {
      type: ContentType.MOVIE,
      title: "Ostrowind Ferry",
      genreIds: ["drama"],
      releaseDate: "2025-01-01",
      duration: durationFromMs(95 * 60_000),
      maturityRating: 2,
    },
  });
  const id = created.content?.contentId ?? "";
  await op.publishContent({ contentId: id });
  await waitFor("the new title in search", () => found("ostrowind", id), 10_000);
  const kids = f.client(callers.kids);
  t.false(
    (await kids.searchContent({ query: "ostrowind", pageSize: 5 })).results.some(
      (r) => r.content?.contentId === id,
    ),
    "rated KIDS: above a cap of ALL",
  );
});

test("maturity on the real adapters: kids see nothing above their cap in browse and search, and are refused its details", async (t) => {
  const kids = t.context.f.client(callers.kids);
  const page = await kids.browseContent({ pageSize: 100 });
  t.true(page.contents.length > 0);
  t.true(page.contents.every((c) => c.maturityRating <= 1));
  const res = await kids.searchContent({ query: "the", pageSize: 50 });
  t.true(res.results.every((r) => (r.content?.maturityRating ?? 9) <= 1));
  const err = await t.throwsAsync(kids.getContentDetails({ contentId: fixtureId("Pulp Fiction") }));
  t.is(ConnectError.from(err).code, Code.PermissionDenied);
});

test("trending from heartbeat reports on JetStream, through the Cassandra store", async (t) => {
  const f = t.context.f;
  const matrix = fixtureId("The Matrix");
  for (const p of ["x1", "x2"]) {
    await publishEvent(
      f.bus,
      EVENTS.playbackReport,
      {
        sessionId: `s-${p}`,
        profileId: `ext-${p}`,
        contentId: matrix,
        country: "JP",
        readings: [1n, 2n].map((sequence) => ({ sequence, eventTime: timestampFromDate(new Date()) })),
      },
      `s-${p}:1-2`,
      `ext-${p}`,
    );
  }
  const jp = await waitFor("trending in JP", async () => {
    const res = await f.client(callers.adult).getTrending({ country: "JP", pageSize: 5 });
    return (res.items[0]?.score ?? 0) > 1.9 ? res : undefined;
  });
  t.is(jp.items[0]?.content?.contentId, matrix);
  t.is((await f.client(callers.kids).getTrending({ country: "JP", pageSize: 5 })).items.length, 0);
});
