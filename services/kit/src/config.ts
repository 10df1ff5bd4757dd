import { z } from "zod";

/** Thrown at start-up when an environment variable has a bad value. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment against a schema whose keys are variable names, so
 * every process reads and checks its configuration in one place and fails at
 * start with a message naming each bad variable.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${issue.path.join(".")}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`,
    );
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** Schema helpers for the value kinds our variables take. */
export const envs = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: (fallback = "127.0.0.1") => z.string().min(1).default(fallback),
  url: (fallback: string) => z.url().default(fallback),
  /** One URL or several comma-separated (a service's replicas, a cluster's nodes): at least one, each a URL, none twice. */
  urls: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((v) => v.split(",").map((s) => s.trim()))
      .pipe(
        z
          .array(z.url(`each a URL such as ${fallback.split(",")[0]}`))
          .min(1)
          .refine((urls) => new Set(urls).size === urls.length, "a URL listed twice"),
      ),
  millis: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  /** A size in bytes, at most the ~4 GiB a protobuf message can have. */
  bytes: (fallback: number) => z.coerce.number().int().min(1).max(0xffff_ffff).default(fallback),
  logLevel: () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  flag: (fallback: boolean) =>
    z
      .enum(["0", "1", "true", "false"])
      .default(fallback ? "1" : "0")
      .transform((v) => v === "1" || v === "true"),
};
