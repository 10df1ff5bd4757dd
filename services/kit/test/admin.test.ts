import { once } from "node:events";
import net from "node:net";
import test from "ava";
import { ConfigError, createLogger, loadAdminAddress, serve } from "../src/index.js";

test("the admin port is the RPC port + 1000 on loopback unless set; any free port when the RPC port is 0", (t) => {
  t.deepEqual(loadAdminAddress("gateway", 8080, {}), { host: "127.0.0.1", port: 9080 });
  t.deepEqual(loadAdminAddress("streaming-consumers", 7113, {}), { host: "127.0.0.1", port: 8113 });
  t.deepEqual(loadAdminAddress("user", 0, {}), { host: "127.0.0.1", port: 0 });
  t.deepEqual(loadAdminAddress("user", 65000, {}), { host: "127.0.0.1", port: 0 });
  t.deepEqual(
    loadAdminAddress("streaming-consumers", 7113, {
      MARQUEE_STREAMING_CONSUMERS_ADMIN_HOST: "0.0.0.0",
      MARQUEE_STREAMING_CONSUMERS_ADMIN_PORT: "9999",
    }),
    { host: "0.0.0.0", port: 9999 },
  );
  t.is(loadAdminAddress("user", 0, { MARQUEE_USER_ADMIN_PORT: "0" }).port, 0);
});

test("a bad admin port stops the process at start, naming the variable", (t) => {
  const err = t.throws(() => loadAdminAddress("user", 7101, { MARQUEE_USER_ADMIN_PORT: "70000" }), {
    instanceOf: ConfigError,
  });
  t.regex(err.message, /MARQUEE_USER_ADMIN_PORT="70000"/);
});

test("the admin listener serves only GET /metrics, and closes with the server", async (t) => {
  const server = await serve({
    name: "admin-test",
    services: [],
    routes: () => {},
    port: 0,
    host: "127.0.0.1",
    admin: { host: "127.0.0.1", port: 0 },
    log: createLogger("admin-test", "silent"),
  });
  const admin = server.adminUrl as string;
  t.regex(admin, /^http:\/\/127\.0\.0\.1:\d+$/);
  const metrics = await fetch(`${admin}/metrics`);
  t.is(metrics.status, 200);
  t.regex(metrics.headers.get("content-type") ?? "", /^text\/plain/);
  t.regex(await metrics.text(), /process_cpu_seconds_total\{component="admin-test"\}/);
  t.is((await fetch(`${admin}/`)).status, 404);
  t.is((await fetch(`${admin}/metrics`, { method: "POST" })).status, 404);
  t.is((await fetch(`${server.url}/metrics`)).status, 404, "not on the RPC port");
  await server.close();
  await t.throwsAsync(fetch(`${admin}/metrics`), undefined, "the admin port is closed with the server");
});

test("a port already taken fails the start with EADDRINUSE and leaves no listener behind", async (t) => {
  const opts = (name: string) => ({
    name,
    services: [],
    routes: () => {},
    host: "127.0.0.1",
    log: createLogger(name, "silent"),
  });
  const first = await serve({ ...opts("admin-a"), port: 0, admin: { host: "127.0.0.1", port: 0 } });
  t.teardown(() => first.close());
  const adminTaken = Number(new URL(first.adminUrl as string).port);
  await t.throwsAsync(
    serve({ ...opts("admin-b"), port: 0, admin: { host: "127.0.0.1", port: adminTaken } }),
    {
      code: "EADDRINUSE",
    },
  );
  // The RPC port taken: the admin listener it had opened is closed again.
  const free = net.createServer().listen(0, "127.0.0.1");
  await once(free, "listening");
  const adminPort = (free.address() as net.AddressInfo).port;
  free.close();
  await once(free, "close");
  await t.throwsAsync(
    serve({ ...opts("admin-c"), port: first.port, admin: { host: "127.0.0.1", port: adminPort } }),
    {
      code: "EADDRINUSE",
    },
  );
  await t.throwsAsync(fetch(`http://127.0.0.1:${adminPort}/metrics`));
});
