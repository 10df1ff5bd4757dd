import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

const FILE = "catalog-version";

/**
 * The catalog version an embedded store was last seeded with, kept in a file
 * beside the store; undefined when none was recorded (a store seeded before
 * versions were, or never seeded).
 */
export async function seededVersion(dir: string): Promise<number | undefined> {
  try {
    const version = Number((await readFile(path.join(dir, FILE), "utf8")).trim());
    return Number.isInteger(version) ? version : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Records that the store now holds the catalog of `version` (written only after the whole seed). */
export async function markSeeded(dir: string, version: number): Promise<void> {
  const file = path.join(dir, FILE);
  // A rename replaces the file whole, so a crash mid-write leaves the old version, never a torn one.
  await writeFile(`${file}.tmp`, `${version}\n`);
  await rename(`${file}.tmp`, file);
}
