import { randomUUID } from "node:crypto";
import { createContextKey } from "@connectrpc/connect";

export const REQUEST_ID_HEADER = "x-request-id";

export const requestIdKey = createContextKey<string>("", {
  description: "id that ties log lines of one request together",
});

const acceptable = /^[A-Za-z0-9._:-]{1,100}$/;

/** Keeps a well-formed incoming id so one request can be followed across hops; otherwise makes one. */
export function requestIdFrom(header: string | null): string {
  return header !== null && acceptable.test(header) ? header : randomUUID();
}
