/**
 * Checks that docker-compose.yml (the production shape; no Docker engine runs it
 * here) is a valid Compose file and agrees with the code: the processes it starts,
 * the MARQUEE_* variables it sets, the ports, the health checks it waits on.
 * Each check returns the problems it finds (empty: fine), so the tests can also
 * show that a broken file is caught. As a command, prints every problem:
 *
 *   node --import tsx scripts/compose/check-compose.ts
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GATEWAY_PORT, loadAdminAddress, SERVICE_PORTS, WORKER_PORTS } from "@marquee/kit";
import { Ajv, type ErrorObject } from "ajv";
import ts from "typescript";
import { parse } from "yaml";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The processes built from this repository, with the port each listens on by default. */
export const APP_PORTS: Record<string, number> = { ...SERVICE_PORTS, gateway: GATEWAY_PORT, ...WORKER_PORTS };
export const APP_NAMES = Object.keys(APP_PORTS);

/** How every application process is started: the TypeScript sources through tsx. */
export const NODE_PREFIX = ["node", "--conditions=marquee-source", "--import", "tsx"];

/** The file a process's command must run. */
export function entryFile(name: string): string {
  if (name === "gateway") return "gateway/src/main.ts";
  // A worker "<service>-<role>" runs services/<service>/src/<role>-main.ts.
  if (name in WORKER_PORTS) {
    const [service, role] = name.split("-");
    return `services/${service}/src/${role}-main.ts`;
  }
  return `services/${name}/src/main.ts`;
}

/** MARQUEE_STREAMING_CONSUMERS for "streaming-consumers": the prefix of a process's variables. */
export const envPrefix = (name: string) => `MARQUEE_${name.toUpperCase().replaceAll("-", "_")}`;

// ---------------------------------------------------------------------------
// The Compose file, as far as these checks read it
// ---------------------------------------------------------------------------

type Scalar = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, Scalar> | string[];
  expose?: (string | number)[];
  ports?: (string | number | { target?: number | string; published?: number | string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

/** Parses the Compose file as Compose does: YAML 1.2 plus `<<` merge keys. */
export function parseCompose(text: string): ComposeFile {
  const doc = parse(text, { merge: true, uniqueKeys: true }) as unknown;
  if (typeof doc !== "object" || doc === null || !("services" in doc)) {
    throw new Error("docker-compose.yml has no top-level `services`");
  }
  return doc as ComposeFile;
}

export function loadCompose(root = ROOT): ComposeFile {
  return parseCompose(readFileSync(path.join(root, "docker-compose.yml"), "utf8"));
}

/** A service's environment as a map, whichever of the two Compose forms it uses. */
export function envOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf("=");
        return eq < 0 ? [entry, ""] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

function commandOf(service: ComposeService): string[] {
  const cmd = service.command;
  if (cmd === undefined) return [];
  return Array.isArray(cmd) ? cmd : cmd.split(/\s+/).filter(Boolean);
}

function healthTestOf(service: ComposeService): string[] {
  const hc = service.healthcheck;
  if (hc === undefined || hc.disable === true || hc.test === undefined) return [];
  const test = Array.isArray(hc.test) ? hc.test : ["CMD-SHELL", hc.test];
  return test[0] === "NONE" ? [] : test;
}

// ---------------------------------------------------------------------------
// (a) The Compose Specification JSON Schema
// ---------------------------------------------------------------------------

/**
 * The Compose Specification schema (compose-spec/compose-spec, schema/compose-spec.json)
 * as the npm package `dclint` ships it, in schemas/compose.schema.json. The package's
 * exports do not include the file, so it is found next to its package.json.
 */
export function composeSpecSchemaPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("dclint/package.json")), "schemas", "compose.schema.json");
}

export interface ComposeSchema {
  $schema: string;
  $id: string;
  title: string;
  [key: string]: unknown;
}

export function loadComposeSchema(): ComposeSchema {
  return JSON.parse(readFileSync(composeSpecSchemaPath(), "utf8")) as ComposeSchema;
}

let validator: ((doc: unknown) => ErrorObject[]) | undefined;

function compileValidator(): (doc: unknown) => ErrorObject[] {
  const schema = loadComposeSchema();
  const require = createRequire(import.meta.url);
  // The schema names draft-07 by its https address; Ajv knows draft-07 by the http
  // one, so the same meta-schema is registered under the address the schema uses
  // (and the schema itself is then validated against it before compiling).
  const draft07 = require("ajv/dist/refs/json-schema-draft-07.json") as Record<string, unknown>;
  // allowUnionTypes: the schema uses `type: [..]` unions throughout; strictTypes off:
  // it also leaves `type: object` implicit next to properties, which is valid JSON Schema.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false });
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  const validate = ajv.compile(schema);
  return (doc) => (validate(doc) ? [] : [...(validate.errors ?? [])]);
}

export function schemaProblems(doc: unknown, text?: string): string[] {
  validator ??= compileValidator();
  const problems = validator(doc).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
  if (typeof doc === "object" && doc !== null && "version" in doc) {
    problems.push("/version: the Compose Specification has no `version`; remove it");
  }
  // Compose interpolates $VAR and ${VAR} in every value before it reads the file;
  // this one is meant to need no variables, so a lone `$` is a mistake ($$ escapes).
  if (text !== undefined) {
    for (const [i, line] of text.split("\n").entries()) {
      if (line.replace(/\$\$/g, "").includes("$") && !line.trimStart().startsWith("#")) {
        problems.push(`line ${i + 1}: \`$\` would be interpolated by Compose (write $$): ${line.trim()}`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (b) The application processes exist in the code, and the image can build them
// ---------------------------------------------------------------------------

export function entryProblems(doc: ComposeFile, root = ROOT): string[] {
  const problems: string[] = [];
  for (const name of APP_NAMES) {
    if (!(name in doc.services)) problems.push(`${name}: missing (the code has ${entryFile(name)})`);
  }
  for (const [name, service] of Object.entries(doc.services)) {
    if (service.build === undefined) continue;
    if (!APP_NAMES.includes(name)) {
      problems.push(`${name}: built from the repository, but the code has no ${entryFile(name)}`);
      continue;
    }
    const entry = entryFile(name);
    if (!existsSync(path.join(root, entry))) problems.push(`${name}: ${entry} does not exist`);
    const build = typeof service.build === "string" ? { context: service.build } : service.build;
    if ((build.context ?? ".") !== ".") problems.push(`${name}: build context is not the repository root`);
    const dockerfile = build.dockerfile ?? "Dockerfile";
    if (dockerfile !== "Dockerfile")
      problems.push(`${name}: built from ${dockerfile}, not the root Dockerfile`);
    const cmd = commandOf(service);
    if (cmd.join(" ") !== [...NODE_PREFIX, entry].join(" ")) {
      problems.push(
        `${name}: command is \`${cmd.join(" ")}\`, expected \`${[...NODE_PREFIX, entry].join(" ")}\``,
      );
    }
  }
  for (const name of APP_NAMES) {
    const service = doc.services[name];
    if (service !== undefined && service.build === undefined) {
      problems.push(`${name}: not built from the repository's Dockerfile`);
    }
  }
  return problems;
}

/** The npm workspaces (root package.json) that have a package.json, e.g. services/kit. */
export function workspaceDirs(root = ROOT): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { workspaces?: string[] };
  const dirs: string[] = [];
  for (const pattern of pkg.workspaces ?? []) {
    if (pattern.endsWith("/*")) {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
      }
    } else {
      dirs.push(pattern);
    }
  }
  return dirs.filter((dir) => existsSync(path.join(root, dir, "package.json"))).sort();
}

export function imageProblems(dockerfile: string, dockerignore: string, workspaces: string[]): string[] {
  const problems: string[] = [];
  const lines = dockerfile.split("\n").map((l) => l.trim());
  const npmCi = lines.findIndex((l) => /^RUN\b.*\bnpm ci\b/.test(l) || /^npm ci\b/.test(l));
  if (npmCi < 0) problems.push("Dockerfile: no `npm ci`");
  if (!lines.some((l) => /^FROM\s+(\S*node:20-bookworm-slim|\$\{NODE_IMAGE\})/.test(l))) {
    problems.push("Dockerfile: not based on node:20-bookworm-slim");
  }
  const nodeImageArg = lines.find((l) => l.startsWith("ARG NODE_IMAGE="));
  if (nodeImageArg !== undefined && nodeImageArg !== "ARG NODE_IMAGE=node:20-bookworm-slim") {
    problems.push(`Dockerfile: ${nodeImageArg}, expected node:20-bookworm-slim`);
  }
  for (const dir of workspaces) {
    const copy = lines.findIndex((l) => new RegExp(`^COPY\\s+${dir}/package\\.json\\s`).test(l));
    if (copy < 0)
      problems.push(`Dockerfile: ${dir}/package.json is not copied before npm ci (npm ci would fail)`);
    else if (npmCi >= 0 && copy > npmCi)
      problems.push(`Dockerfile: ${dir}/package.json is copied after npm ci`);
  }
  const ignored = new Set(
    dockerignore
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#")),
  );
  for (const entry of ["node_modules", "data", ".cache", ".git", "test-artifacts"]) {
    if (!ignored.has(entry) && !ignored.has(`**/${entry}`))
      problems.push(`.dockerignore: ${entry} is not ignored`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (c) Every MARQUEE_* variable set is one the code reads
// ---------------------------------------------------------------------------

const VAR = /^MARQUEE_[A-Z0-9_]*[A-Z0-9]$/;

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => path.join(dir, f));
}

/** The code the deployed processes run: services/<any>/src/** and gateway/src/**. */
export function codeFiles(root = ROOT): string[] {
  const services = path.join(root, "services");
  return [
    ...readdirSync(services, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => tsFiles(path.join(services, e.name, "src"))),
    ...tsFiles(path.join(root, "gateway", "src")),
  ].sort();
}

/**
 * The MARQUEE_* names a TypeScript file can read. Literal names are collected from
 * the syntax tree (identifiers such as `MARQUEE_LOG_LEVEL: envs.logLevel()` or
 * `process.env.MARQUEE_X`, and string literals), never from comments. Names built
 * from a template are expanded for every process name, upper-cased, e.g.
 * `MARQUEE_${name.toUpperCase()}_URL` (gateway/src/upstreams.ts); a template that
 * only makes a prefix held in a constant, such as
 * `const prefix = \`MARQUEE_${spec.name.toUpperCase()}\`` and then `${prefix}_HOST`
 * (services/kit/src/start-service.ts), is followed through the constant. Any other
 * substitution is taken to be a process name too (an over-approximation: it can
 * only make an unknown variable look known, never a known one look unknown).
 */
export function envNamesInSource(text: string, fileName: string, processNames: string[]): Set<string> {
  const upper = processNames.map((n) => n.toUpperCase().replaceAll("-", "_"));
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const constTemplates = new Map<string, ts.TemplateExpression>();
  const usedAsPrefix = new Set<string>();
  const names = new Set<string>();

  const collectConsts = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      ts.isTemplateExpression(node.initializer)
    ) {
      constTemplates.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, collectConsts);
  };
  collectConsts(source);

  const expand = (template: ts.TemplateExpression, seen: Set<string>): string[] => {
    let results = [template.head.text];
    for (const span of template.templateSpans) {
      let values = upper;
      const expr = span.expression;
      if (ts.isIdentifier(expr) && constTemplates.has(expr.text) && !seen.has(expr.text)) {
        usedAsPrefix.add(expr.text);
        const inner = constTemplates.get(expr.text) as ts.TemplateExpression;
        values = expand(inner, new Set([...seen, expr.text]));
      }
      results = results.flatMap((r) => values.map((v) => r + v + span.literal.text));
    }
    return results;
  };

  const templateNames: [ts.TemplateExpression, string[]][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (VAR.test(node.text)) names.add(node.text);
    } else if (ts.isTemplateExpression(node)) {
      templateNames.push([node, expand(node, new Set()).filter((n) => VAR.test(n))]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);

  const prefixTemplates = new Set([...usedAsPrefix].map((name) => constTemplates.get(name)));
  for (const [template, expanded] of templateNames) {
    if (prefixTemplates.has(template)) continue;
    for (const name of expanded) names.add(name);
  }
  return names;
}

export function codeEnvNames(root = ROOT): Set<string> {
  const names = new Set<string>();
  for (const file of codeFiles(root)) {
    for (const name of envNamesInSource(readFileSync(file, "utf8"), file, APP_NAMES)) names.add(name);
  }
  return names;
}

export function envProblems(doc: ComposeFile, known: Set<string>): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services)) {
    for (const key of Object.keys(envOf(service))) {
      if (key.startsWith("MARQUEE_") && !known.has(key)) {
        problems.push(`${name}: ${key} is read nowhere in services/*/src or gateway/src`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (d) Ports agree with the code (services/kit/src/topology.ts) and the edge
// ---------------------------------------------------------------------------

/** The port an application process listens on in the compose file: its variable, else the code's default. */
export function listeningPort(name: string, service: ComposeService): number | undefined {
  const fromEnv = envOf(service)[`${envPrefix(name)}_PORT`];
  return fromEnv === undefined ? APP_PORTS[name] : Number(fromEnv);
}

/** Container-side port of a `ports` entry (short "[ip:]host:container[/proto]" or long syntax). */
function targetPort(entry: string | number | { target?: number | string }): number {
  if (typeof entry === "object") return Number(entry.target);
  const parts = String(entry).split("/")[0]?.split(":") ?? [];
  return Number(parts[parts.length - 1]);
}

export function portProblems(doc: ComposeFile, nginxConf: string): string[] {
  const problems: string[] = [];
  const ports = new Map<string, number>();
  for (const name of APP_NAMES) {
    const service = doc.services[name];
    if (service === undefined) continue;
    const env = envOf(service);
    const varName = `${envPrefix(name)}_PORT`;
    const port = listeningPort(name, service);
    if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`${name}: ${varName}=${env[varName]} is not a port`);
      continue;
    }
    ports.set(name, port);
    if (port !== APP_PORTS[name]) {
      problems.push(`${name}: listens on ${port}, the code's default (topology.ts) is ${APP_PORTS[name]}`);
    }
    const host = env[`${envPrefix(name)}_HOST`];
    if (host !== "0.0.0.0") {
      problems.push(
        `${name}: ${envPrefix(name)}_HOST is ${host ?? "unset (127.0.0.1)"}, so no other container reaches it`,
      );
    }
    for (const exposed of service.expose ?? []) {
      if (Number(String(exposed).split("/")[0]) !== port)
        problems.push(`${name}: exposes ${exposed}, listens on ${port}`);
    }
    for (const published of service.ports ?? []) {
      if (targetPort(published) !== port)
        problems.push(`${name}: publishes ${JSON.stringify(published)}, listens on ${port}`);
    }
    const probe = healthTestOf(service).join(" ");
    const probed = [...probe.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) => Number(m[1]));
    if (probed.length === 0) problems.push(`${name}: the health check probes no local port`);
    for (const p of probed)
      if (p !== port) problems.push(`${name}: the health check probes port ${p}, listens on ${port}`);
  }

  // Every http://<process>:<port> a service is given points at the port that process listens on.
  for (const [name, service] of Object.entries(doc.services)) {
    for (const [key, value] of Object.entries(envOf(service))) {
      for (const m of value.matchAll(/\bhttps?:\/\/([a-z0-9-]+):(\d+)/g)) {
        const target = m[1] as string;
        const expected = ports.get(target);
        if (expected !== undefined && Number(m[2]) !== expected) {
          problems.push(`${name}: ${key} points at ${target}:${m[2]}, ${target} listens on ${expected}`);
        }
      }
    }
  }
  // The gateway's default upstream is 127.0.0.1: in containers each one must be set.
  const gateway = doc.services.gateway;
  if (gateway !== undefined) {
    const env = envOf(gateway);
    for (const name of Object.keys(SERVICE_PORTS)) {
      const value = env[`MARQUEE_${name.toUpperCase()}_URL`];
      if (value === undefined)
        problems.push(`gateway: MARQUEE_${name.toUpperCase()}_URL unset (default 127.0.0.1)`);
      else if (!value.startsWith(`http://${name}:`))
        problems.push(`gateway: MARQUEE_${name.toUpperCase()}_URL=${value} is not the ${name} service`);
    }
  }

  // The edge: nginx's upstream servers are compose services at the ports they listen on.
  for (const m of nginxConf.matchAll(/^\s*server\s+([a-z0-9-]+):(\d+)\b/gm)) {
    const target = m[1] as string;
    if (!(target in doc.services))
      problems.push(`nginx.conf: upstream ${target}:${m[2]} is no compose service`);
    const expected = ports.get(target);
    if (expected !== undefined && Number(m[2]) !== expected) {
      problems.push(`nginx.conf: upstream ${target}:${m[2]}, ${target} listens on ${expected}`);
    }
  }

  // Only the edge (nginx :80) and the gateway publish ports.
  const nginxListen = Number(/^\s*listen\s+(?:[\d.]+:)?(\d+)/m.exec(nginxConf)?.[1]);
  for (const [name, service] of Object.entries(doc.services)) {
    if ((service.ports ?? []).length === 0) continue;
    if (name === "nginx") {
      for (const published of service.ports ?? []) {
        if (targetPort(published) !== nginxListen) {
          problems.push(
            `nginx: publishes ${JSON.stringify(published)}, nginx.conf listens on ${nginxListen}`,
          );
        }
      }
    } else if (name !== "gateway") {
      problems.push(`${name}: publishes ${JSON.stringify(service.ports)}; only nginx and the gateway may`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (e) depends_on waits on health, and whatever is waited on has a health check
// ---------------------------------------------------------------------------

export function dependsProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services)) {
    const deps = service.depends_on;
    if (deps === undefined) continue;
    if (Array.isArray(deps)) {
      problems.push(`${name}: depends_on is a plain list, so it waits only for the containers to start`);
      continue;
    }
    for (const [target, spec] of Object.entries(deps)) {
      if (spec?.condition !== "service_healthy") {
        problems.push(
          `${name}: depends on ${target} with condition ${spec?.condition ?? "(none)"}, not service_healthy`,
        );
      }
      const dependency = doc.services[target];
      if (dependency === undefined) problems.push(`${name}: depends on ${target}, which is no service`);
      else if (healthTestOf(dependency).length === 0)
        problems.push(`${target}: ${name} waits for it, but it has no health check`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (f) The dependency graph and the backend settings fit the clusters
// ---------------------------------------------------------------------------

function servicesByImage(doc: ComposeFile, prefix: string): string[] {
  return Object.entries(doc.services)
    .filter(([, s]) => s.image?.startsWith(prefix))
    .map(([n]) => n)
    .sort();
}

/** Services that also use the search index. */
export const SEARCH_USERS = ["content", "recommendation"];

export function topologyProblems(doc: ComposeFile): string[] {
  const problems: string[] = [];
  const cassandra = servicesByImage(doc, "cassandra:");
  const nats = servicesByImage(doc, "nats:");
  const opensearch = servicesByImage(doc, "opensearchproject/opensearch:");
  if (cassandra.length !== 3) problems.push(`${cassandra.length} Cassandra nodes, expected 3`);
  if (nats.length !== 3) problems.push(`${nats.length} NATS nodes, expected 3`);
  if (opensearch.length !== 2) problems.push(`${opensearch.length} OpenSearch nodes, expected 2`);

  const waitsOn = (name: string): string[] => {
    const deps = doc.services[name]?.depends_on;
    return deps === undefined ? [] : Array.isArray(deps) ? deps : Object.keys(deps);
  };
  for (const name of Object.keys(SERVICE_PORTS)) {
    const needs = [...cassandra, ...nats, ...(SEARCH_USERS.includes(name) ? opensearch : [])];
    const missing = needs.filter((dep) => !waitsOn(name).includes(dep));
    if (missing.length > 0) problems.push(`${name}: does not wait for ${missing.join(", ")}`);
  }
  const missing = Object.keys(SERVICE_PORTS).filter((dep) => !waitsOn("gateway").includes(dep));
  if (missing.length > 0) problems.push(`gateway: does not wait for ${missing.join(", ")}`);

  // The addresses and replication each service is given match the clusters above.
  const dcs = new Set(cassandra.map((n) => envOf(doc.services[n] as ComposeService).CASSANDRA_DC));
  for (const name of Object.keys(SERVICE_PORTS)) {
    const service = doc.services[name];
    if (service === undefined) continue;
    const env = envOf(service);
    if (env.MARQUEE_BACKENDS !== "external") problems.push(`${name}: MARQUEE_BACKENDS is not external`);
    const hosts = (value: string | undefined) =>
      (value ?? "").split(",").map(
        (s) =>
          s
            .trim()
            .replace(/^[a-z]+:\/\//, "")
            .split(":")[0] ?? "",
      );
    const contact = hosts(env.MARQUEE_CASSANDRA_CONTACT_POINTS);
    if (contact.sort().join() !== cassandra.join()) {
      problems.push(
        `${name}: MARQUEE_CASSANDRA_CONTACT_POINTS lists ${contact.join()}, the nodes are ${cassandra.join()}`,
      );
    }
    if (!dcs.has(env.MARQUEE_CASSANDRA_LOCAL_DC) || dcs.size !== 1) {
      problems.push(
        `${name}: MARQUEE_CASSANDRA_LOCAL_DC=${env.MARQUEE_CASSANDRA_LOCAL_DC}, the nodes' CASSANDRA_DC is ${[...dcs].join()}`,
      );
    }
    const rf = /'([^']+)'\s*:\s*(\d+)/.exec(
      (env.MARQUEE_CASSANDRA_REPLICATION ?? "").replace(/'class'\s*:\s*'[^']*'/, ""),
    );
    if (!/NetworkTopologyStrategy/.test(env.MARQUEE_CASSANDRA_REPLICATION ?? "") || rf === null) {
      problems.push(`${name}: MARQUEE_CASSANDRA_REPLICATION is not a NetworkTopologyStrategy map`);
    } else if (!dcs.has(rf[1]) || Number(rf[2]) !== cassandra.length) {
      problems.push(
        `${name}: replication ${rf[1]}: ${rf[2]}, the ring is ${cassandra.length} nodes in ${[...dcs].join()}`,
      );
    }
    const natsHosts = hosts(env.MARQUEE_NATS_URL);
    if (natsHosts.sort().join() !== nats.join())
      problems.push(`${name}: MARQUEE_NATS_URL lists ${natsHosts.join()}, the nodes are ${nats.join()}`);
    if (Number(env.MARQUEE_NATS_REPLICAS) !== nats.length) {
      problems.push(
        `${name}: MARQUEE_NATS_REPLICAS=${env.MARQUEE_NATS_REPLICAS}, the cluster has ${nats.length} nodes`,
      );
    }
    if (!opensearch.includes(hosts(env.MARQUEE_OPENSEARCH_URL)[0] ?? "")) {
      problems.push(`${name}: MARQUEE_OPENSEARCH_URL=${env.MARQUEE_OPENSEARCH_URL} is no OpenSearch node`);
    }
    if (Number(env.MARQUEE_OPENSEARCH_REPLICAS) !== opensearch.length - 1) {
      problems.push(
        `${name}: MARQUEE_OPENSEARCH_REPLICAS=${env.MARQUEE_OPENSEARCH_REPLICAS}, expected ${opensearch.length - 1} for ${opensearch.length} nodes`,
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------
// (g) Metrics: every process's admin port is reachable on the private network
//     and scraped by Prometheus (deploy/prometheus/prometheus.yml)
// ---------------------------------------------------------------------------

export function metricsProblems(doc: ComposeFile, prometheusConf: string): string[] {
  const problems: string[] = [];
  const config = parse(prometheusConf) as {
    scrape_configs?: { static_configs?: { targets?: string[] }[] }[];
  } | null;
  const targets = new Set(
    (config?.scrape_configs ?? []).flatMap((job) =>
      (job.static_configs ?? []).flatMap((group) => group.targets ?? []),
    ),
  );
  for (const name of APP_NAMES) {
    const service = doc.services[name];
    if (service === undefined) continue;
    const env = envOf(service);
    let admin: { host: string; port: number };
    try {
      admin = loadAdminAddress(name, listeningPort(name, service) ?? 0, env);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message.replaceAll("\n", " ")}`);
      continue;
    }
    if (admin.host !== "0.0.0.0")
      problems.push(
        `${name}: ${envPrefix(name)}_ADMIN_HOST is ${admin.host}, so Prometheus cannot reach its metrics`,
      );
    if (!targets.has(`${name}:${admin.port}`))
      problems.push(`${name}: prometheus.yml does not scrape ${name}:${admin.port}, its admin port`);
  }
  for (const target of targets) {
    const host = target.split(":")[0] ?? "";
    if (!APP_NAMES.includes(host)) problems.push(`prometheus.yml: target ${target} is no Marquee process`);
  }
  const prometheus = Object.values(doc.services).find((s) => s.image?.startsWith("prom/prometheus:"));
  if (prometheus === undefined) problems.push("no prometheus service scrapes the metrics");
  else if (
    !((prometheus.volumes as unknown[] | undefined) ?? []).some((v) =>
      String(v).startsWith("./deploy/prometheus/prometheus.yml:"),
    )
  )
    problems.push("prometheus: does not mount deploy/prometheus/prometheus.yml");
  return problems;
}

// ---------------------------------------------------------------------------

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
  const doc = parseCompose(text);
  const nginxConf = readFileSync(path.join(ROOT, "deploy/nginx/nginx.conf"), "utf8");
  const prometheusConf = readFileSync(path.join(ROOT, "deploy/prometheus/prometheus.yml"), "utf8");
  const sections: [string, string[]][] = [
    ["schema", schemaProblems(doc, text)],
    ["processes", entryProblems(doc)],
    [
      "image",
      imageProblems(
        readFileSync(path.join(ROOT, "Dockerfile"), "utf8"),
        readFileSync(path.join(ROOT, ".dockerignore"), "utf8"),
        workspaceDirs(),
      ),
    ],
    ["variables", envProblems(doc, codeEnvNames())],
    ["ports", portProblems(doc, nginxConf)],
    ["health", dependsProblems(doc)],
    ["topology", topologyProblems(doc)],
    ["metrics", metricsProblems(doc, prometheusConf)],
  ];
  let count = 0;
  for (const [section, problems] of sections) {
    for (const p of problems) console.log(`${section}: ${p}`);
    count += problems.length;
  }
  console.log(count === 0 ? "docker-compose.yml: no problems" : `docker-compose.yml: ${count} problem(s)`);
  process.exitCode = count === 0 ? 0 : 1;
}
