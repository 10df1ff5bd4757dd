import { rm } from "node:fs/promises";
import path from "node:path";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import type { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { asStreaming } from "../internal-call.js";
import type { AssetInfo } from "./transcode.js";

/**
 * Attaches a published asset to its title in the content service. When that
 * fails the asset directory is removed, so nothing is left half-published and
 * the ingest can be run again.
 */
export async function attachAsset(
  content: Pick<Client<typeof ContentService>, "attachMedia">,
  mediaDir: string,
  contentId: string,
  episodeId: string,
  asset: AssetInfo,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await content.attachMedia(
      {
        contentId,
        episodeId,
        media: {
          assetId: asset.assetId,
          manifestPath: asset.manifestPath,
          duration: durationFromMs(asset.durationMs),
          maxHeight: asset.maxHeight,
        },
      },
      { ...asStreaming(), signal },
    );
  } catch (err) {
    await rm(path.join(mediaDir, asset.assetId), { recursive: true, force: true });
    throw err;
  }
}
