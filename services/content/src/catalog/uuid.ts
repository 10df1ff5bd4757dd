import { createHash } from "node:crypto";

/** Namespace of Marquee's seeded catalog ids (a random UUID fixed once). */
export const CATALOG_NAMESPACE = "6f1c2b9e-4a7d-4c1e-9b3f-2d8e5a7c0f14";

/** RFC 4122 version-5 UUID: the same name always gives the same id, so re-seeding is idempotent. */
export function uuidV5(name: string, namespace: string = CATALOG_NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll("-", ""), "hex");
  const hash = createHash("sha1").update(ns).update(name, "utf8").digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
