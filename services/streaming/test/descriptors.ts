import { readdirSync, readlinkSync } from "node:fs";

/** This process's descriptors on `file`: its name as it is now, or with " (deleted)" once unlinked. */
export function heldOn(file: string): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target === file || target === `${file} (deleted)` ? [target] : [];
    } catch {
      return []; // closed since it was listed
    }
  });
}
