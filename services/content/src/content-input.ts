import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Content,
  ContentSchema,
  ContentType,
  type Episode,
  PublishState,
  type Season,
} from "@marquee/sdk/marquee/content/v1/content_pb";
import type { ContentInput } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { unknownGenres } from "./domain/genres.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalid = (message: string) => new ConnectError(message, Code.InvalidArgument);

/** Rules of a title's fields that the protovalidate annotations cannot express. */
function checkInput(input: ContentInput): void {
  const unknown = unknownGenres(input.genreIds);
  if (unknown.length > 0) {
    throw invalid(
      `content.genre_ids: unknown genre ${unknown.map((g) => `"${g}"`).join(", ")} (GetGenres lists them)`,
    );
  }
  if (input.type === ContentType.MOVIE && input.seasons.length > 0) {
    throw invalid("content.seasons: a movie has no seasons; use type CONTENT_TYPE_SERIES");
  }
  const seasonNumbers = new Set<number>();
  const episodeIds = new Set<string>();
  for (const season of input.seasons) {
    if (season.seasonNumber < 1 || seasonNumbers.has(season.seasonNumber)) {
      throw invalid(`content.seasons: season numbers must be unique and from 1 (got ${season.seasonNumber})`);
    }
    seasonNumbers.add(season.seasonNumber);
    const numbers = new Set<number>();
    for (const ep of season.episodes) {
      if (ep.episodeNumber < 1 || numbers.has(ep.episodeNumber)) {
        throw invalid(
          `content.seasons[${season.seasonNumber}].episodes: episode numbers must be unique and from 1 (got ${ep.episodeNumber})`,
        );
      }
      numbers.add(ep.episodeNumber);
      if (ep.episodeId !== "") {
        if (!UUID.test(ep.episodeId) || episodeIds.has(ep.episodeId)) {
          throw invalid(
            `content.seasons: episode_id "${ep.episodeId}" must be a unique UUID, or empty to have one assigned`,
          );
        }
        episodeIds.add(ep.episodeId);
      }
    }
  }
  for (const [i, member] of input.cast.entries()) {
    if (member.name.trim() === "" || member.name.length > 200 || member.role.length > 200) {
      throw invalid(
        `content.cast[${i}]: a name of 1 to 200 characters and a role of at most 200 are required`,
      );
    }
  }
}

/** Seasons as stored: episode ids assigned where missing, media kept from the previous version by episode id. */
function settleSeasons(seasons: Season[], previous: Content | undefined): Season[] {
  const media = new Map<string, Episode["media"]>();
  for (const s of previous?.seasons ?? [])
    for (const e of s.episodes) if (e.media) media.set(e.episodeId, e.media);
  return [...seasons]
    .sort((a, b) => a.seasonNumber - b.seasonNumber)
    .map((s) => ({
      ...s,
      episodes: [...s.episodes]
        .sort((a, b) => a.episodeNumber - b.episodeNumber)
        .map((e) => {
          const episodeId = e.episodeId || randomUUID();
          return { ...e, episodeId, media: e.media ?? media.get(episodeId) };
        }),
    })) as Season[];
}

/** A new draft from an operator's input. */
export function newContent(
  input: ContentInput,
  now: Date = new Date(),
  contentId: string = randomUUID(),
): Content {
  checkInput(input);
  const time = timestampFromDate(now);
  return create(ContentSchema, {
    contentId,
    ...fieldsOf(input, undefined),
    publishState: PublishState.DRAFT,
    createTime: time,
    updateTime: time,
  });
}

/** The title with an operator's new fields; state, media, creation time and id stay. */
export function updatedContent(previous: Content, input: ContentInput, now: Date = new Date()): Content {
  checkInput(input);
  return create(ContentSchema, {
    ...previous,
    ...fieldsOf(input, previous),
    updateTime: timestampFromDate(now),
  });
}

function fieldsOf(input: ContentInput, previous: Content | undefined) {
  return {
    type: input.type,
    title: input.title.trim(),
    genreIds: [...input.genreIds],
    releaseDate: input.releaseDate,
    duration: input.duration,
    synopsis: input.synopsis,
    cast: input.cast,
    maturityRating: input.maturityRating,
    artwork: input.artwork,
    availability: input.availability,
    popularity: input.popularity,
    seasons: settleSeasons(input.seasons, previous),
  };
}
