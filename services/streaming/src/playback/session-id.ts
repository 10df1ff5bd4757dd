import { randomBytes } from "node:crypto";

/**
 * A UUIDv7: its first 48 bits are the creation time in milliseconds, so a
 * session id tells when the session started (history groups a session's
 * heartbeats under that moment) and ids sort by time.
 */
export function uuidv7(nowMs = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(nowMs, 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The start time in ms of a UUIDv7 session id, or undefined for another version. */
export function uuidv7Time(id: string): number | undefined {
  const hex = id.replaceAll("-", "");
  if (hex.length !== 32 || hex[12] !== "7") return undefined;
  return Number.parseInt(hex.slice(0, 12), 16);
}
