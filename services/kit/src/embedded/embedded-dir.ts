import { mkdirSync } from "node:fs";
import path from "node:path";
import type { BackendsConfig } from "../backends-config.js";

/** The directory where a service keeps its embedded store, created on first use. */
export function embeddedDir(backends: BackendsConfig, service: string): string {
  const dir = path.resolve(backends.embeddedDataDir, service);
  mkdirSync(dir, { recursive: true });
  return dir;
}
