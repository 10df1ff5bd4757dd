/**
 * Signed media URLs expire. dash.js resolves segment URLs against the manifest
 * URL it first loaded; after RenewManifestUrl we rewrite each request from the
 * original signed base to the current one, whether the signature sits in the
 * path (a prefix) or in the query string.
 */

function directory(u: URL): string {
  return `${u.origin}${u.pathname.slice(0, u.pathname.lastIndexOf("/") + 1)}`;
}

/** `url` as it would be had dash.js loaded `current` instead of `original`. */
export function rebaseUrl(url: string, original: string, current: string): string {
  if (original === current) return url;
  let from: URL;
  let to: URL;
  let target: URL;
  try {
    from = new URL(original);
    to = new URL(current);
    target = new URL(url);
  } catch {
    return url;
  }
  if (url === original) return current;
  let out = url;
  const fromDir = directory(from);
  const toDir = directory(to);
  if (out.startsWith(fromDir)) out = toDir + out.slice(fromDir.length);
  // A signature in the query string: a request carrying the old query gets the new one.
  if (from.search && target.search === from.search) {
    const rewritten = new URL(out);
    rewritten.search = to.search;
    out = rewritten.toString();
  } else if (from.search && !target.search && to.search && out.startsWith(toDir)) {
    // Segments resolved without the manifest's query: give them the new signature too.
    const rewritten = new URL(out);
    rewritten.search = to.search;
    out = rewritten.toString();
  }
  return out;
}

/** When to renew a URL that expires at `expireMs`: a minute early, or halfway for short lifetimes. */
export function renewAt(nowMs: number, expireMs: number): number {
  const left = expireMs - nowMs;
  if (left <= 0) return nowMs;
  return nowMs + Math.max(left - 60_000, left / 2);
}
