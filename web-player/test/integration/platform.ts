/**
 * The whole platform for browser tests and the benchmark: `npm start`'s
 * embedded mode as a child process on free ports with a fresh data directory,
 * waited on with deadlines. MARQUEE_WEB_TEST_GATEWAY_URL (and
 * MARQUEE_WEB_TEST_STREAMING_URL) reuse a platform that is already running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "@marquee/kit/testing";
import { BillingCycle, type Content, createMarquee, type MarqueeClients, PlanTier } from "@marquee/sdk";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SERVICES = ["user", "content", "streaming", "recommendation", "account", "feedback"] as const;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Platform {
  gatewayUrl: string;
  streamingUrl: string;
  dataDir: string | undefined;
  /** The last lines the platform logged (for failure messages). */
  logTail(): string;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Length of the demo titles in seconds (4–60). */
  demoSeconds?: number;
  /** Length of the long demo title in seconds (default 0: not made). */
  longSeconds?: number;
  /** Make the demo pool, the clips the seeded titles play (default false: it would compete for the CPU). */
  pool?: boolean;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const reuse = process.env.MARQUEE_WEB_TEST_GATEWAY_URL;
  if (reuse) {
    return {
      gatewayUrl: reuse,
      streamingUrl: process.env.MARQUEE_WEB_TEST_STREAMING_URL ?? "http://127.0.0.1:7103",
      dataDir: undefined,
      logTail: () => "(platform started elsewhere)",
      stop: async () => {},
    };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-web-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dataDir,
    MARQUEE_LOG_LEVEL: "warn",
    MARQUEE_DEMO_SECONDS: String(opts.demoSeconds ?? 60),
    MARQUEE_DEMO_LONG_SECONDS: String(opts.longSeconds ?? 0),
    MARQUEE_DEMO_POOL: opts.pool ? "1" : "0",
    ...opts.env,
  };
  const gatewayPort = await freePort();
  env.MARQUEE_GATEWAY_PORT = String(gatewayPort);
  // Admin (metrics) ports anywhere free: the default, port + 1000, may be taken on a busy machine.
  env.MARQUEE_GATEWAY_ADMIN_PORT = "0";
  for (const name of SERVICES) {
    const port = await freePort();
    env[`MARQUEE_${name.toUpperCase()}_PORT`] = String(port);
    env[`MARQUEE_${name.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`;
    env[`MARQUEE_${name.toUpperCase()}_ADMIN_PORT`] = "0";
  }
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=marquee-source", "--import", "tsx", "scripts/start.ts"],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const platform: Platform = {
    gatewayUrl,
    streamingUrl: env.MARQUEE_STREAMING_URL as string,
    dataDir,
    logTail: () => log.slice(-4000),
    async stop() {
      if (exited === undefined) {
        child.kill("SIGTERM");
        await waitFor("the platform to stop", () => exited !== undefined, 20_000).catch(() => {
          child.kill("SIGKILL");
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      "the gateway to answer ListPlans",
      async () => {
        if (exited !== undefined) throw new Error(`the platform exited (${exited}):\n${log.slice(-3000)}`);
        const res = await fetch(`${gatewayUrl}/marquee.account.v1.AccountService/ListPlans`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }).catch(() => undefined);
        return res?.ok === true;
      },
      opts.startTimeoutMs ?? 180_000,
    );
  } catch (err) {
    await platform.stop();
    throw err;
  }
  return platform;
}

export interface Member {
  email: string;
  password: string;
  userId: string;
  profileId: string;
  /** Clients acting as the member with the profile selected. */
  api: MarqueeClients;
  /** The web player's stored session (localStorage "marquee.session"), to open the app signed in. */
  storedSession: string;
}

/** A subscribed member with one profile, made through the public API (not the UI). */
export async function createMember(
  gatewayUrl: string,
  tier = PlanTier.PREMIUM,
  email = `probe-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`,
): Promise<Member> {
  const anon = createMarquee({ baseUrl: gatewayUrl });
  const password = "correct horse battery";
  await anon.user.registerUser({ email, password, name: "Probe", dateOfBirth: "1990-01-01", country: "NO" });
  const login = await anon.user.login({ email, password, deviceName: "test harness" });
  const userId = login.user?.userId ?? "";
  const memberToken = login.tokens?.accessToken ?? "";
  const member = createMarquee({ baseUrl: gatewayUrl, accessToken: memberToken });
  await member.account.createSubscription({
    userId,
    tier,
    billingCycle: BillingCycle.MONTHLY,
    paymentToken: "tok_card_4242",
    idempotencyKey: `probe-${email}`,
  });
  const profile = (await member.user.createProfile({ userId, name: "Probe", avatar: "blue" })).profile;
  const profileId = profile?.profileId ?? "";
  const selected = await member.user.selectProfile({ profileId, pin: "" });
  const t = login.tokens;
  const ms = (ts: { seconds: bigint; nanos: number } | undefined, fallback: number) =>
    ts ? Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6) : fallback;
  const storedSession = JSON.stringify({
    user: { userId, email, name: "Probe", country: "NO" },
    tokens: {
      accessToken: memberToken,
      accessExpireMs: ms(t?.accessTokenExpireTime, Date.now() + 300_000),
      refreshToken: t?.refreshToken ?? "",
      refreshExpireMs: ms(t?.refreshTokenExpireTime, Date.now() + 86_400_000),
      sessionId: t?.sessionId ?? "",
    },
    profile: { profileId, name: "Probe", avatar: "blue", kids: false, pinProtected: false },
    profileToken: selected.accessToken,
    profileExpireMs: ms(selected.accessTokenExpireTime, Date.now() + 300_000),
  });
  return {
    email,
    password,
    userId,
    profileId,
    api: createMarquee({ baseUrl: gatewayUrl, accessToken: selected.accessToken }),
    storedSession,
  };
}

/** The short demo titles the streaming service ingests at first start (services/streaming/src/demo.ts). */
export const DEMO_TITLE_NAMES = ["Test Signal", "The Game of Life", "Colour Bars"];
/** The long demo title, made after them. */
export const LONG_DEMO_TITLE = "Long Take";

/**
 * Waits until the catalog has a playable title (one of `names`; the demo titles are ingested at first start).
 * Given the platform, a timeout carries the tail of its log, where a failed ingest shows.
 */
export async function waitForPlayableTitle(
  api: MarqueeClients,
  timeoutMs = 600_000,
  names = DEMO_TITLE_NAMES,
  platform?: Pick<Platform, "logTail">,
): Promise<Content> {
  return waitFor(
    `a playable title in the catalog (${names.join(", ")})`,
    async () => {
      for (const name of names) {
        const res = await api.content.searchContent({ query: name, pageSize: 20 }).catch(() => undefined);
        const hit = res?.results.find((r) => r.content?.title === name && r.content.media?.manifestPath);
        if (hit?.content) return hit.content;
      }
      return undefined;
    },
    timeoutMs,
  ).catch((err: Error) => {
    throw platform ? new Error(`${err.message}\nplatform log:\n${platform.logTail()}`) : err;
  });
}
