import { readFileSync } from "node:fs";
import path from "node:path";
import test from "ava";
import {
  APP_NAMES,
  type ComposeFile,
  type ComposeService,
  codeEnvNames,
  dependsProblems,
  entryFile,
  entryProblems,
  envNamesInSource,
  envProblems,
  imageProblems,
  loadComposeSchema,
  metricsProblems,
  parseCompose,
  portProblems,
  ROOT,
  schemaProblems,
  topologyProblems,
  workspaceDirs,
} from "../check-compose.js";

const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const composeText = read("docker-compose.yml");
const compose = parseCompose(composeText);
const nginxConf = read("deploy/nginx/nginx.conf");
const prometheusConf = read("deploy/prometheus/prometheus.yml");
const dockerfile = read("Dockerfile");
const dockerignore = read(".dockerignore");

/** A copy of the parsed compose file with one thing broken. */
function broken(change: (doc: ComposeFile) => void): ComposeFile {
  const copy = structuredClone(compose);
  change(copy);
  return copy;
}

function service(doc: ComposeFile, name: string): ComposeService {
  const s = doc.services[name];
  if (s === undefined) throw new Error(`no service ${name}`);
  return s;
}

function env(doc: ComposeFile, name: string): Record<string, string> {
  return service(doc, name).environment as Record<string, string>;
}

const report = (problems: string[]) => `\n  ${problems.join("\n  ")}`;

// (a) ------------------------------------------------------------------------

test("(a) the schema is the Compose Specification's compose-spec.json", (t) => {
  const schema = loadComposeSchema();
  t.is(schema.$id, "compose_spec.json");
  t.is(schema.title, "Compose Specification");
  t.is(schema.$schema, "https://json-schema.org/draft-07/schema");
  const properties = schema.properties as Record<string, unknown>;
  t.truthy(properties.services && properties.volumes && properties.networks);
});

test("(a) docker-compose.yml is valid against the Compose Specification", (t) => {
  const problems = schemaProblems(compose, composeText);
  t.deepEqual(problems, [], report(problems));
});

test("(a) a file the specification rejects is reported", (t) => {
  const unknownKey = broken((doc) => {
    service(doc, "user").restart_policy = "always";
  });
  t.true(
    schemaProblems(unknownKey).some((p) => p.includes("/services/user") && p.includes("restart_policy")),
  );
  const badCondition = broken((doc) => {
    service(doc, "gateway").depends_on = { user: { condition: "service_ready" } };
  });
  t.true(schemaProblems(badCondition).some((p) => p.includes("/services/gateway/depends_on")));
  const withVersion = broken((doc) => {
    doc.version = "3.9";
  });
  t.true(schemaProblems(withVersion).some((p) => p.startsWith("/version")));
  t.true(schemaProblems(compose, `${composeText}\nx-oops: $HOME\n`).some((p) => p.includes("$HOME")));
});

// (b) ------------------------------------------------------------------------

test("(b) every application service runs its own main.ts from the code", (t) => {
  const problems = entryProblems(compose);
  t.deepEqual(problems, [], report(problems));
  for (const name of APP_NAMES)
    t.true(name in compose.services, `${name} (${entryFile(name)}) is in the compose file`);
});

test("(b) a service the code lacks, or a command that runs the wrong file, is reported", (t) => {
  const extra = broken((doc) => {
    doc.services.billing = { ...service(doc, "user"), command: ["node", "services/billing/src/main.ts"] };
  });
  t.true(entryProblems(extra).some((p) => p.startsWith("billing:")));
  const wrongFile = broken((doc) => {
    service(doc, "content").command = [
      "node",
      "--conditions=marquee-source",
      "--import",
      "tsx",
      "services/user/src/main.ts",
    ];
  });
  t.true(entryProblems(wrongFile).some((p) => p.startsWith("content: command")));
  const missing = broken((doc) => {
    delete doc.services.feedback;
  });
  t.true(entryProblems(missing).some((p) => p.startsWith("feedback: missing")));
});

test("(b) the image: node:20-bookworm-slim, npm ci after every workspace manifest, .dockerignore", (t) => {
  const workspaces = workspaceDirs();
  t.true(workspaces.includes("services/kit") && workspaces.includes("gateway") && workspaces.includes("gen"));
  const problems = imageProblems(dockerfile, dockerignore, workspaces);
  t.deepEqual(problems, [], report(problems));
  const withoutKit = dockerfile.replace(/^COPY services\/kit\/package\.json.*$/m, "");
  t.true(
    imageProblems(withoutKit, dockerignore, workspaces).some((p) => p.includes("services/kit/package.json")),
  );
  t.true(imageProblems(dockerfile, "data\n", workspaces).some((p) => p.includes("node_modules")));
});

// (c) ------------------------------------------------------------------------

test("(c) every MARQUEE_* variable the compose file sets is read by the code", (t) => {
  const known = codeEnvNames();
  const problems = envProblems(compose, known);
  t.deepEqual(problems, [], `not read by the code:${report(problems)}`);
});

test("(c) names built from a process name are expanded as the code builds them", (t) => {
  const names = [...APP_NAMES];
  const kit = envNamesInSource(read("services/kit/src/start-service.ts"), "start-service.ts", names);
  t.true(kit.has("MARQUEE_USER_PORT") && kit.has("MARQUEE_FEEDBACK_HOST") && kit.has("MARQUEE_LOG_LEVEL"));
  t.false(kit.has("MARQUEE_USER"), "a prefix is not a variable");
  const gateway = envNamesInSource(read("gateway/src/upstreams.ts"), "upstreams.ts", names);
  t.true(gateway.has("MARQUEE_RECOMMENDATION_URL"));
  const commentOnly = envNamesInSource("// MARQUEE_FROM_A_COMMENT\nexport {};\n", "x.ts", names);
  t.false(commentOnly.has("MARQUEE_FROM_A_COMMENT"));
});

test("(c) a variable no code reads is reported by name", (t) => {
  const doc = broken((d) => {
    env(d, "user").MARQUEE_USER_TIMEOUT = "5s";
  });
  t.deepEqual(
    envProblems(doc, codeEnvNames()).filter((p) => p.includes("MARQUEE_USER_TIMEOUT")),
    ["user: MARQUEE_USER_TIMEOUT is read nowhere in services/*/src or gateway/src"],
  );
});

// (d) ------------------------------------------------------------------------

test("(d) ports agree with services/kit/src/topology.ts, the health checks, the gateway and nginx", (t) => {
  const problems = portProblems(compose, nginxConf);
  t.deepEqual(problems, [], report(problems));
});

test("(d) a port that disagrees anywhere is reported", (t) => {
  const movedService = broken((doc) => {
    env(doc, "content").MARQUEE_CONTENT_PORT = "7999";
  });
  const moved = portProblems(movedService, nginxConf);
  t.true(moved.some((p) => p.startsWith("content: listens on 7999")));
  t.true(moved.some((p) => p.startsWith("content: exposes 7102")));
  t.true(moved.some((p) => p.startsWith("gateway: MARQUEE_CONTENT_URL points at content:7102")));
  const wrongUrl = broken((doc) => {
    env(doc, "gateway").MARQUEE_ACCOUNT_URL = "http://account:7101";
  });
  t.true(
    portProblems(wrongUrl, nginxConf).some((p) => p.includes("MARQUEE_ACCOUNT_URL points at account:7101")),
  );
  const loopback = broken((doc) => {
    delete env(doc, "user").MARQUEE_USER_HOST;
  });
  t.true(portProblems(loopback, nginxConf).some((p) => p.startsWith("user: MARQUEE_USER_HOST")));
  const published = broken((doc) => {
    service(doc, "cassandra-1").ports = ["9042:9042"];
  });
  t.true(portProblems(published, nginxConf).some((p) => p.startsWith("cassandra-1: publishes")));
  const edge = nginxConf.replace("server streaming:7103", "server streaming:7003");
  t.true(portProblems(compose, edge).some((p) => p.includes("upstream streaming:7003")));
});

// (e) ------------------------------------------------------------------------

test("(e) depends_on waits for service_healthy, and every service waited on has a health check", (t) => {
  const problems = dependsProblems(compose);
  t.deepEqual(problems, [], report(problems));
});

test("(e) a plain depends_on, a weaker condition or a dependency without a health check is reported", (t) => {
  const plain = broken((doc) => {
    service(doc, "gateway").depends_on = ["user"];
  });
  t.true(dependsProblems(plain).some((p) => p.startsWith("gateway: depends_on is a plain list")));
  const started = broken((doc) => {
    service(doc, "nginx").depends_on = { gateway: { condition: "service_started" } };
  });
  t.true(dependsProblems(started).some((p) => p.includes("service_started")));
  const noHealth = broken((doc) => {
    delete service(doc, "nats-2").healthcheck;
  });
  t.true(dependsProblems(noHealth).some((p) => p.startsWith("nats-2: ")));
});

// (f) ------------------------------------------------------------------------

test("(f) backends: 3 Cassandra, 3 NATS, 2 OpenSearch; each service waits for and is pointed at them", (t) => {
  const problems = topologyProblems(compose);
  t.deepEqual(problems, [], report(problems));
});

test("(f) a replication or address that does not fit the clusters is reported", (t) => {
  const rf = broken((doc) => {
    env(doc, "account").MARQUEE_CASSANDRA_REPLICATION = "{'class': 'NetworkTopologyStrategy', 'dc1': 5}";
  });
  t.true(topologyProblems(rf).some((p) => p.startsWith("account: replication dc1: 5")));
  const natsReplicas = broken((doc) => {
    env(doc, "feedback").MARQUEE_NATS_REPLICAS = "1";
  });
  t.true(topologyProblems(natsReplicas).some((p) => p.startsWith("feedback: MARQUEE_NATS_REPLICAS=1")));
  const noSearch = broken((doc) => {
    const deps = service(doc, "content").depends_on as Record<string, unknown>;
    delete deps["opensearch-2"];
  });
  t.true(topologyProblems(noSearch).some((p) => p === "content: does not wait for opensearch-2"));
});

// (g) ------------------------------------------------------------------------

test("(g) Prometheus scrapes every process's admin port, which listens beyond loopback", (t) => {
  const problems = metricsProblems(compose, prometheusConf);
  t.deepEqual(problems, [], report(problems));
});

test("(g) an admin port that is unscraped, on loopback, moved or unknown is reported", (t) => {
  const loopback = broken((doc) => {
    delete env(doc, "user").MARQUEE_USER_ADMIN_HOST;
  });
  t.true(
    metricsProblems(loopback, prometheusConf).some((p) =>
      p.startsWith("user: MARQUEE_USER_ADMIN_HOST is 127.0.0.1"),
    ),
  );
  const moved = broken((doc) => {
    env(doc, "gateway").MARQUEE_GATEWAY_ADMIN_PORT = "9999";
  });
  t.true(
    metricsProblems(moved, prometheusConf).includes(
      "gateway: prometheus.yml does not scrape gateway:9999, its admin port",
    ),
  );
  const bad = broken((doc) => {
    env(doc, "feedback").MARQUEE_FEEDBACK_ADMIN_PORT = "nope";
  });
  t.true(
    metricsProblems(bad, prometheusConf).some(
      (p) => p.startsWith("feedback:") && p.includes("MARQUEE_FEEDBACK_ADMIN_PORT"),
    ),
  );
  const stray = prometheusConf.replace("- user:8101", "- users:8101");
  const strayProblems = metricsProblems(compose, stray);
  t.true(strayProblems.includes("prometheus.yml: target users:8101 is no Marquee process"));
  t.true(strayProblems.includes("user: prometheus.yml does not scrape user:8101, its admin port"));
  const gone = broken((doc) => {
    delete doc.services.prometheus;
  });
  t.true(metricsProblems(gone, prometheusConf).includes("no prometheus service scrapes the metrics"));
});
