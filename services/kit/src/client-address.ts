import { createContextKey } from "@connectrpc/connect";

/** The network address of the peer that opened the connection (the edge may replace it with X-Forwarded-For). */
export const clientAddressKey = createContextKey<string>("", { description: "client network address" });
