/** Formatting of figures shown to people: bitrates, times, money, dates. Pure functions. */

/** "4.2 Mbps", "850 kbps", "—" for unknown. */
export function formatBitrate(bps: number | bigint | undefined): string {
  const n = typeof bps === "bigint" ? Number(bps) : bps;
  if (n === undefined || !Number.isFinite(n) || n <= 0) return "—";
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)} Mbps`;
  return `${Math.round(n / 1000)} kbps`;
}

/** "12.3 s" of buffer. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  return `${seconds.toFixed(1)} s`;
}

/** A playback position: "4:05", "1:02:09". */
export function formatClock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "0:00";
  const s = Math.floor(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** A running time: "1 h 52 min", "47 min", "30 s". */
export function formatRuntime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

/** "720p", or "1280×720" when no height is known. */
export function formatRendition(
  rendition: { id?: string; height?: number; width?: number } | undefined,
): string {
  if (!rendition) return "—";
  if (rendition.height)
    return `${rendition.height}p${rendition.id && rendition.id !== `${rendition.height}p` ? ` (${rendition.id})` : ""}`;
  return rendition.id || "—";
}

/** Minor units of a currency: "$9.99", "NOK 129.00". */
export function formatMoney(
  money: { currencyCode: string; amountMinor: bigint | number } | undefined,
): string {
  if (!money?.currencyCode) return "—";
  const amount = Number(money.amountMinor) / 100;
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: money.currencyCode }).format(amount);
  } catch {
    return `${money.currencyCode} ${amount.toFixed(2)}`;
  }
}

/** "23 Nov 2026". */
export function formatDate(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" }).format(ms);
}

export interface PlayerStats {
  renditionId?: string | undefined;
  height?: number | undefined;
  width?: number | undefined;
  bitrateBps?: number | undefined;
  /** The rendition being fetched (where the ABR is heading) and why it was chosen. */
  targetId?: string | undefined;
  targetHeight?: number | undefined;
  targetBitrateBps?: number | undefined;
  abrReason?: string | undefined;
  throughputBps?: number | undefined;
  bufferSeconds?: number | undefined;
  droppedFrames?: number | undefined;
  rebuffers?: number | undefined;
  rebufferMs?: number | undefined;
  maxHeight?: number | undefined;
}

/** The stats overlay's lines, label and value: what is on screen, where the ABR is heading, and why. */
export function statsLines(stats: PlayerStats): [string, string][] {
  const target = stats.targetId
    ? `${formatRendition({ id: stats.targetId, height: stats.targetHeight })} · ${formatBitrate(stats.targetBitrateBps)}${stats.abrReason ? ` (${stats.abrReason})` : ""}`
    : "—";
  return [
    ["Rendition", formatRendition({ id: stats.renditionId, height: stats.height, width: stats.width })],
    ["Bitrate", formatBitrate(stats.bitrateBps)],
    ["Target", target],
    ["Throughput", formatBitrate(stats.throughputBps)],
    ["Buffer", formatSeconds(stats.bufferSeconds)],
    ["Dropped frames", stats.droppedFrames === undefined ? "—" : String(stats.droppedFrames)],
    [
      "Rebuffers",
      stats.rebuffers === undefined
        ? "—"
        : `${stats.rebuffers} (${formatSeconds((stats.rebufferMs ?? 0) / 1000)})`,
    ],
    ["Plan cap", stats.maxHeight ? `${stats.maxHeight}p` : "none"],
  ];
}
