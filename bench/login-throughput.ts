/**
 * Logins per second per core at the chosen argon2id parameters (OWASP:
 * m=19456 KiB, t=2, p=1), measured in one run against a baseline: raw
 * argon2id verifications with the same parameters in this process. A login is
 * one verification plus a session write and a signed token, so the ratio
 * shows what the rest of the path costs. The user service and the gateway run
 * as their own processes (embedded mode, fresh data directory), on loopback.
 *
 *   node --conditions=marquee-source --import tsx bench/login-throughput.ts [--seconds 8] [--concurrency 4]
 */
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { startMembersPlatform } from "@marquee/gateway/testing/members";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { ARGON2ID_PARAMS } from "@marquee/user/passwords";
import { hash, verify } from "@node-rs/argon2";
import { measure, type Result } from "./lib/measure.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "4" },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const cores = availableParallelism();
const password = "benchmark password 123";

const line = (label: string, r: Result) =>
  `${label.padEnd(34)} ${r.perSecond.toFixed(1).padStart(8)}/s  ${(r.perSecond / cores).toFixed(1).padStart(7)}/s/core  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  errors ${r.errors}`;

const platform = await startMembersPlatform({ MARQUEE_LOG_LEVEL: "error" });
try {
  const users = createClient(UserService, createGrpcTransport({ baseUrl: platform.gatewayUrl }));
  const email = `bench.${Date.now()}@example.com`;
  await users.registerUser({ email, password, name: "Bench", dateOfBirth: "1990-01-01", country: "NO" });
  const login = () => users.login({ email, password, deviceName: "bench" });
  await measure(login, { seconds: 1, concurrency }); // warm-up

  const stored = await hash(password, ARGON2ID_PARAMS);
  const raw = await measure(() => verify(stored, password), { seconds, concurrency });
  const logins = await measure(login, { seconds, concurrency });

  process.stdout.write(
    [
      `argon2id m=${ARGON2ID_PARAMS.memoryCost} KiB t=${ARGON2ID_PARAMS.timeCost} p=${ARGON2ID_PARAMS.parallelism}; ${cores} cores; concurrency ${concurrency}; ${seconds} s each`,
      line("raw argon2id verify (baseline)", raw),
      line("Login through the gateway (gRPC)", logins),
      `ratio login / raw verify: ${(logins.perSecond / raw.perSecond).toFixed(2)}`,
      "",
    ].join("\n"),
  );
} finally {
  await platform.close();
}
