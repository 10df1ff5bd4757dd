import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { CALLER_HEADER, encodeCaller } from "@marquee/kit";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { BrowseSort, type ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import type { TitleFacts } from "./store.js";

/** Where the catalog projection comes from: the content service, or a fake in tests. */
export interface CatalogSource {
  /** One title's facts; undefined when the catalog does not know it. */
  title(contentId: string): Promise<TitleFacts | undefined>;
  /** Every title members can see. */
  browse(): AsyncIterable<TitleFacts>;
  /** Display names of the genres. */
  genres(): Promise<Map<string, string>>;
}

function titleFacts(c: Content): TitleFacts {
  return {
    contentId: c.contentId,
    title: c.title,
    genreIds: [...c.genreIds],
    cast: c.cast.map((m) => m.name),
    synopsis: c.synopsis,
    maturity: c.maturityRating,
    availableFrom: c.availability?.startTime ? timestampMs(c.availability.startTime) : 0,
    availableUntil: c.availability?.endTime ? timestampMs(c.availability.endTime) : 0,
    popularity: c.popularity,
  };
}

const PAGE = 100;

/** The content service, called as the internal service "recommendation". */
export function contentServiceCatalog(
  client: Client<typeof ContentService>,
  timeoutMs = 10_000,
): CatalogSource {
  const options = () => ({
    timeoutMs,
    headers: { [CALLER_HEADER]: encodeCaller({ kind: "internal", service: "recommendation", scopes: [] }) },
  });
  return {
    async title(contentId) {
      try {
        const { content } = await client.getContentDetails({ contentId }, options());
        return content === undefined ? undefined : titleFacts(content);
      } catch (err) {
        if (ConnectError.from(err).code === Code.NotFound) return undefined;
        throw err;
      }
    },
    async *browse() {
      let pageToken = "";
      do {
        const page = await client.browseContent(
          { pageSize: PAGE, pageToken, sort: BrowseSort.TITLE },
          options(),
        );
        for (const c of page.contents) yield titleFacts(c);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
    },
    async genres() {
      const { genres } = await client.getGenres({}, options());
      return new Map(genres.map((g) => [g.genreId, g.name]));
    },
  };
}
