import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, dependencyVars, envs, loadConfig, requestLimitVars, SERVICE_PORTS } from "@marquee/kit";
import { z } from "zod";

/** The streaming service's settings, read and checked once at start. */
export function loadStreamingConfig(
  env: Record<string, string | undefined>,
  mode: "embedded" | "external",
  dataDir: string,
) {
  const c = loadConfig(
    {
      MARQUEE_STREAMING_HOST: envs.host(),
      MARQUEE_STREAMING_PORT: envs.port(SERVICE_PORTS.streaming),
      MARQUEE_LOG_LEVEL: envs.logLevel(),
      MARQUEE_DRAIN_TIMEOUT_MS: envs.millis(10_000),
      ...requestLimitVars,
      /** The demo ingest waits this long for the content service. */
      ...dependencyVars,
      /** Published DASH assets (served at /media/). */
      MARQUEE_MEDIA_DIR: z.string().min(1).default(path.join(dataDir, "media")),
      /** Where StartIngest looks for sources. */
      MARQUEE_INGEST_DIR: z.string().min(1).default(path.join(dataDir, "ingest")),
      /** HMAC key of media URLs; every origin instance needs the same. Default: a random key kept in the media dir. */
      MARQUEE_MEDIA_SIGNING_SECRET: z.string().min(16).optional(),
      /** Earlier signing secrets, comma-separated: URLs they signed stay valid until they expire. */
      MARQUEE_MEDIA_SIGNING_PREVIOUS_SECRETS: z
        .string()
        .default("")
        .transform((v) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().min(16, "each previous secret must be at least 16 characters"))),
      /** Prepended to manifest URLs, e.g. a CDN origin; empty keeps them relative to the gateway. */
      MARQUEE_MEDIA_BASE_URL: z
        .string()
        .regex(/^(https?:\/\/[^/]+)?$/, "an origin like https://cdn.example.com, or empty")
        .default(""),
      /** Run the history writer and the erasure consumer here; off where streaming-consumers processes run them. */
      MARQUEE_STREAMING_CONSUMERS: envs.flag(true),
      /** How often the player takes a reading. */
      MARQUEE_HEARTBEAT_INTERVAL_MS: envs.millis(10_000),
      /** How often the player reports its readings (SendHeartbeats). */
      MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS: envs.millis(20_000),
      /** A stream slot whose session sent no heartbeat for this long is free again. */
      MARQUEE_STREAM_SLOT_LEASE_MS: envs.millis(45_000),
      MARQUEE_MANIFEST_URL_TTL_MS: envs.millis(4 * 3600_000),
      /**
       * How long the media origin trusts what it read about a session before reading it again: a
       * session stopped on another replica (or whose slot lapsed) keeps its media this long at most.
       */
      MARQUEE_MEDIA_SESSION_CHECK_MS: z.coerce
        .number()
        .int()
        .positive()
        .max(30_000, "at most 30000: a stopped session's media keeps playing this long")
        .default(5_000),
      MARQUEE_INGEST_PRESET: z
        .enum(["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"])
        .default("veryfast"),
      /** Create the demo titles at first start (default: in embedded mode). */
      MARQUEE_DEMO_TITLES: envs.flag(mode === "embedded"),
      MARQUEE_DEMO_SECONDS: z.coerce.number().int().min(4).max(60).default(20),
      /** Length of the long demo title ("Long Take", made last); 0 leaves it out. */
      MARQUEE_DEMO_LONG_SECONDS: z.coerce.number().int().min(0).max(1800).default(180),
      /** With the demo titles, make the demo pool: the clips every seeded catalog title plays. */
      MARQUEE_DEMO_POOL: envs.flag(true),
      MARQUEE_FFMPEG_PATH: z.string().optional(),
    },
    env,
  );
  // A slot must outlive one lost report, or a brief network loss would free it to another device.
  if (c.MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS * 2 > c.MARQUEE_STREAM_SLOT_LEASE_MS) {
    throw new ConfigError(
      `invalid configuration:\n  MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS=${c.MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS}: must be at most half of MARQUEE_STREAM_SLOT_LEASE_MS (${c.MARQUEE_STREAM_SLOT_LEASE_MS})`,
    );
  }
  if (c.MARQUEE_HEARTBEAT_INTERVAL_MS > c.MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS) {
    throw new ConfigError(
      `invalid configuration:\n  MARQUEE_HEARTBEAT_INTERVAL_MS=${c.MARQUEE_HEARTBEAT_INTERVAL_MS}: must not exceed MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS (${c.MARQUEE_HEARTBEAT_REPORT_INTERVAL_MS})`,
    );
  }
  return c;
}

export type StreamingConfig = ReturnType<typeof loadStreamingConfig>;

/** The configured signing secret, or one generated once and kept beside the media. */
export function signingSecret(config: StreamingConfig): string {
  if (config.MARQUEE_MEDIA_SIGNING_SECRET !== undefined) return config.MARQUEE_MEDIA_SIGNING_SECRET;
  mkdirSync(config.MARQUEE_MEDIA_DIR, { recursive: true });
  const file = path.join(config.MARQUEE_MEDIA_DIR, ".signing-secret");
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    const secret = randomBytes(32).toString("base64url");
    writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return readFileSync(file, "utf8").trim();
  }
}
