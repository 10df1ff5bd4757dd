import { Code, ConnectError } from "@connectrpc/connect";
import type { z } from "zod";

/**
 * Page tokens are opaque to clients: base64url JSON of whatever position the
 * service needs. A token that does not decode to the expected shape is the
 * client's mistake, so it gets InvalidArgument, never Internal.
 */
export function encodePageToken(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodePageToken<S extends z.ZodType>(token: string, schema: S): z.infer<S> | undefined {
  if (token === "") return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(token, "base64url").toString("utf8")));
  } catch {
    throw new ConnectError(
      "page_token is not one this service issued; start again without it",
      Code.InvalidArgument,
    );
  }
}
