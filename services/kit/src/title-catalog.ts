import { type Client, Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { callerOf } from "./authz.js";
import { callOptions } from "./call-options.js";

/** What a service asks of the catalog: may this caller see (and so rate, or keep on a list) this title? */
export interface TitleCatalog {
  visible(contentId: string, ctx: HandlerContext): Promise<boolean>;
}

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 50_000;

/**
 * The catalog as the content service answers it (GetContentDetails with the
 * caller's identity, so their maturity cap applies). Positive answers are
 * remembered for a few minutes per title and cap: ratings come in bursts on
 * the same titles, and a title that stops being visible can still be rated
 * for that long, which is harmless.
 */
export function contentServiceCatalog(client: Client<typeof ContentService>): TitleCatalog {
  const seen = new Map<string, number>();
  return {
    async visible(contentId, ctx) {
      const key = `${callerOf(ctx).maturityCap ?? "-"}:${contentId}`;
      const until = seen.get(key);
      if (until !== undefined && until > Date.now()) return true;
      try {
        await client.getContentDetails({ contentId }, callOptions(ctx, 5_000));
      } catch (err) {
        const e = ConnectError.from(err);
        // PermissionDenied: the title exists but is withheld from this caller (above their cap).
        if (e.code === Code.NotFound || e.code === Code.PermissionDenied) return false;
        throw new ConnectError(
          `the catalog could not be reached to check the title: ${e.rawMessage}`,
          Code.Unavailable,
        );
      }
      if (seen.size >= MAX_ENTRIES) seen.delete(seen.keys().next().value as string);
      seen.delete(key);
      seen.set(key, Date.now() + TTL_MS);
      return true;
    },
  };
}

/** Every title is visible: for tests and benchmarks that leave the catalog out. */
export const OPEN_CATALOG: TitleCatalog = { visible: async () => true };
