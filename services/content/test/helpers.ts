import { randomUUID } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type Content,
  ContentSchema,
  ContentType,
  PublishState,
} from "@marquee/sdk/marquee/content/v1/content_pb";
import { type ContentInput, ContentInputSchema } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { NO_CAP } from "../src/domain/maturity.js";
import type { SearchQuery } from "../src/search.js";

/** A published movie with sensible defaults; override what the test is about. */
export function movie(overrides: Partial<MessageInitShape<typeof ContentSchema>> = {}): Content {
  const now = timestampFromDate(new Date());
  return create(ContentSchema, {
    contentId: randomUUID(),
    type: ContentType.MOVIE,
    title: "Untitled",
    genreIds: ["drama"],
    releaseDate: "2020-01-01",
    duration: durationFromMs(90 * 60_000),
    synopsis: "",
    cast: [],
    rating: 7,
    maturityRating: 3,
    popularity: 1,
    publishState: PublishState.PUBLISHED,
    createTime: now,
    updateTime: now,
    ...overrides,
  } as MessageInitShape<typeof ContentSchema>);
}

export const query = (text: string, more: Partial<SearchQuery> = {}): SearchQuery => ({
  text,
  genreIds: [],
  yearFrom: 0,
  yearTo: 0,
  maxMaturity: NO_CAP,
  offset: 0,
  limit: 10,
  ...more,
});

/** An operator's input for a new movie. */
export const input = (over: Partial<MessageInitShape<typeof ContentInputSchema>> = {}): ContentInput =>
  create(ContentInputSchema, {
    type: ContentType.MOVIE,
    title: "Vorlander Nights",
    genreIds: ["thriller"],
    releaseDate: "2024-06-01",
    duration: durationFromMs(100 * 60_000),
    synopsis: "A night porter in Vienna overhears a plan.",
    cast: [{ name: "Ilse Vorlander", role: "Porter" }],
    maturityRating: 3,
    popularity: 5,
    ...over,
  } as MessageInitShape<typeof ContentInputSchema>);
