import { ConfigError, envs, loadBackendsConfig, loadConfig } from "@marquee/kit";
import test from "ava";

const shape = {
  MARQUEE_X_PORT: envs.port(7000),
  MARQUEE_X_URL: envs.url("http://127.0.0.1:1"),
  MARQUEE_X_ON: envs.flag(false),
};

test("defaults apply when variables are unset", (t) => {
  t.deepEqual(loadConfig(shape, {}), {
    MARQUEE_X_PORT: 7000,
    MARQUEE_X_URL: "http://127.0.0.1:1",
    MARQUEE_X_ON: false,
  });
});

test("values are parsed from strings", (t) => {
  const config = loadConfig(shape, { MARQUEE_X_PORT: "8081", MARQUEE_X_ON: "true" });
  t.is(config.MARQUEE_X_PORT, 8081);
  t.true(config.MARQUEE_X_ON);
});

test("bad values fail at start with every offending variable and its value named", (t) => {
  const err = t.throws(
    () => loadConfig(shape, { MARQUEE_X_PORT: "70000", MARQUEE_X_URL: "not a url", MARQUEE_X_ON: "maybe" }),
    {
      instanceOf: ConfigError,
    },
  );
  t.regex(err.message, /MARQUEE_X_PORT="70000"/);
  t.regex(err.message, /MARQUEE_X_URL="not a url"/);
  t.regex(err.message, /MARQUEE_X_ON="maybe"/);
});

test("the backends take every node of a cluster: contact points, NATS servers and OpenSearch nodes", (t) => {
  const backends = loadBackendsConfig({
    MARQUEE_CASSANDRA_CONTACT_POINTS: "127.0.0.11:9042, 127.0.0.12:9042",
    MARQUEE_NATS_URL: "nats://127.0.0.11:4222,nats://127.0.0.12:4222",
    MARQUEE_OPENSEARCH_URL: "http://127.0.0.11:9200, http://127.0.0.12:9200",
  });
  t.deepEqual(backends.cassandra.contactPoints, ["127.0.0.11:9042", "127.0.0.12:9042"]);
  t.deepEqual(backends.nats.servers, ["nats://127.0.0.11:4222", "nats://127.0.0.12:4222"]);
  t.deepEqual(backends.opensearch.nodes, ["http://127.0.0.11:9200", "http://127.0.0.12:9200"]);
  t.deepEqual(loadBackendsConfig({}).opensearch.nodes, ["http://127.0.0.1:9200"]);
  const err = t.throws(
    () => loadBackendsConfig({ MARQUEE_OPENSEARCH_URL: "http://127.0.0.11:9200,opensearch-2" }),
    {
      instanceOf: ConfigError,
    },
  );
  t.regex(err.message, /MARQUEE_OPENSEARCH_URL/);
});
