import type { DescMethod } from "@bufbuild/protobuf";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { envs, loadConfig } from "../config.js";

const MiB = 1024 * 1024;

/** The most bytes one request message of an RPC may have, after decompression. */
export type RequestLimit = (method: DescMethod) => number;

/** The variables that set request limits; every server reads them with its own configuration. */
export const requestLimitVars = {
  MARQUEE_MAX_REQUEST_BYTES: envs.bytes(MiB),
  MARQUEE_MAX_CATALOG_WRITE_BYTES: envs.bytes(8 * MiB),
};

/**
 * The only requests that truly need more than the default: a title written
 * whole, with every season and episode (a long-running daily series has
 * thousands of episodes of ~500 bytes each).
 */
const CATALOG_WRITES: ReadonlySet<DescMethod> = new Set([
  ContentService.method.createContent,
  ContentService.method.updateContent,
]);

export function requestLimit(config: {
  MARQUEE_MAX_REQUEST_BYTES: number;
  MARQUEE_MAX_CATALOG_WRITE_BYTES: number;
}): RequestLimit {
  return (method) =>
    CATALOG_WRITES.has(method) ? config.MARQUEE_MAX_CATALOG_WRITE_BYTES : config.MARQUEE_MAX_REQUEST_BYTES;
}

/** The limits when no variable sets them. */
export const defaultRequestLimit = requestLimit(loadConfig(requestLimitVars, {}));
