/**
 * Generated artwork on disk: `<dir>/v<version>/<contentId>/<kind>.jpg`, made
 * once and then read as a file. A picture is written to a temporary name and
 * renamed, so a reader never sees half a JPEG, and two requests for the same
 * missing picture share one drawing.
 */
import { access, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { ArtworkSchema, type Content, ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ARTWORK_VERSION, designFor } from "./design.js";
import { type ArtworkKind, renderArtwork } from "./render.js";

export const ARTWORK_KINDS: readonly ArtworkKind[] = ["poster", "backdrop"];

/** The URL path of a title's picture; the version in it lets browsers cache it for a year. */
export function artworkPath(contentId: string, kind: ArtworkKind): string {
  return `/artwork/v${ARTWORK_VERSION}/${contentId}/${kind}.jpg`;
}

export interface ArtworkFiles {
  /** The folder the origin serves (its URL paths start after /artwork). */
  readonly root: string;
  /** The picture's file, drawn first when it is not there yet. */
  ensure(content: Content, kind: ArtworkKind): Promise<string>;
}

export function artworkFiles(root: string): ArtworkFiles {
  const drawing = new Map<string, Promise<string>>();
  const fileOf = (contentId: string, kind: ArtworkKind) =>
    path.join(root, `v${ARTWORK_VERSION}`, contentId, `${kind}.jpg`);

  const draw = async (content: Content, kind: ArtworkKind, file: string): Promise<string> => {
    const image = await renderArtwork(designFor(content), kind);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, image);
    await rename(partial, file);
    return file;
  };

  return {
    root,
    async ensure(content, kind) {
      const file = fileOf(content.contentId, kind);
      const pending = drawing.get(file);
      if (pending) return pending;
      try {
        await access(file);
        return file;
      } catch {
        const made = draw(content, kind, file).finally(() => drawing.delete(file));
        drawing.set(file, made);
        return made;
      }
    },
  };
}

/** A seeded title with pictures from this origin; artwork a title already has is kept. */
export function withGeneratedArtwork(content: Content): Content {
  if (content.artwork?.posterUrl) return content;
  return create(ContentSchema, {
    ...content,
    artwork: create(ArtworkSchema, {
      thumbnailUrl: content.artwork?.thumbnailUrl ?? "",
      posterUrl: artworkPath(content.contentId, "poster"),
      backdropUrl: artworkPath(content.contentId, "backdrop"),
    }),
  });
}
