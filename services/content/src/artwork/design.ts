/**
 * What a generated title's artwork looks like, decided from the title alone:
 * the same title always gets the same picture (any replica can make it again,
 * so the files are a cache, not a source of truth), and titles of one genre
 * share a family look so a row reads at a glance.
 */
import { fnv1a, seededRandom } from "@marquee/kit";
import type { Content } from "@marquee/sdk/marquee/content/v1/content_pb";
import { genreNameOf } from "../domain/genres.js";

/** Bumped when the drawing changes, so browsers holding the old picture (cached for a year) fetch the new one. */
export const ARTWORK_VERSION = 1;

export type Motif = "rings" | "slashes" | "moon" | "grid" | "waves" | "sun" | "stars" | "blocks";

export interface ArtworkDesign {
  title: string;
  /** Small line above the title: genre and year. */
  kicker: string;
  /** Background hues (0..360): top and bottom of the gradient. */
  hues: [number, number];
  /** How light the picture is, 0..1 (horror is dark, family is bright). */
  light: number;
  motif: Motif;
  /** Seeds the motif's shapes. */
  seed: number;
}

interface GenreLook {
  hue: number;
  light: number;
  motif: Motif;
}

const LOOKS: Record<string, GenreLook> = {
  action: { hue: 14, light: 0.45, motif: "slashes" },
  adventure: { hue: 32, light: 0.5, motif: "sun" },
  animation: { hue: 190, light: 0.6, motif: "blocks" },
  anime: { hue: 330, light: 0.55, motif: "sun" },
  biography: { hue: 40, light: 0.4, motif: "grid" },
  comedy: { hue: 50, light: 0.62, motif: "blocks" },
  crime: { hue: 220, light: 0.25, motif: "slashes" },
  documentary: { hue: 160, light: 0.4, motif: "grid" },
  drama: { hue: 280, light: 0.35, motif: "waves" },
  family: { hue: 95, light: 0.62, motif: "blocks" },
  fantasy: { hue: 265, light: 0.45, motif: "stars" },
  history: { hue: 28, light: 0.35, motif: "grid" },
  horror: { hue: 355, light: 0.18, motif: "moon" },
  kids: { hue: 120, light: 0.65, motif: "blocks" },
  music: { hue: 300, light: 0.5, motif: "waves" },
  musical: { hue: 315, light: 0.55, motif: "waves" },
  mystery: { hue: 235, light: 0.25, motif: "moon" },
  reality: { hue: 8, light: 0.55, motif: "blocks" },
  romance: { hue: 340, light: 0.5, motif: "waves" },
  "science-fiction": { hue: 200, light: 0.3, motif: "rings" },
  sports: { hue: 140, light: 0.45, motif: "slashes" },
  thriller: { hue: 0, light: 0.25, motif: "slashes" },
  war: { hue: 70, light: 0.25, motif: "grid" },
  western: { hue: 25, light: 0.45, motif: "sun" },
};

const DEFAULT_LOOK: GenreLook = { hue: 210, light: 0.4, motif: "rings" };

export type ArtworkSubject = Pick<Content, "contentId" | "title" | "genreIds" | "releaseDate">;

export function designFor(subject: ArtworkSubject): ArtworkDesign {
  const seed = fnv1a(subject.contentId);
  const random = seededRandom(seed);
  const primary = subject.genreIds[0];
  const look = (primary !== undefined ? LOOKS[primary] : undefined) ?? DEFAULT_LOOK;
  // Titles of a genre vary around its hue, so a row is a family, not a row of twins.
  const hue = (look.hue + Math.round((random() - 0.5) * 36) + 360) % 360;
  const second = subject.genreIds[1];
  const secondHue = second !== undefined ? (LOOKS[second]?.hue ?? hue) : (hue + 40) % 360;
  const year = subject.releaseDate.slice(0, 4);
  const genre = primary !== undefined ? genreNameOf(primary) : undefined;
  return {
    title: subject.title,
    kicker: [genre, year].filter((part) => part !== undefined && part !== "").join(" · "),
    hues: [hue, secondHue],
    light: look.light,
    motif: look.motif,
    seed,
  };
}
