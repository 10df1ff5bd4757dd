import type { Rung } from "../ingest/ladder.js";
import { qualityOfHeight } from "./rules.js";

/** A ladder rung as the API shows it. */
export function toRendition(r: Rung) {
  return {
    renditionId: r.id,
    height: r.height,
    width: r.width,
    bitrateBps: BigInt(r.bitrateBps),
    quality: qualityOfHeight(r.height),
  };
}
