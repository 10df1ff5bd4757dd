import { createHash } from "node:crypto";

/**
 * A UUID derived from its parts (SHA-256, version 8 layout), so a retried
 * operation names its subscription and invoices the same way every time.
 */
export function derivedId(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
