import { Transform } from "node:stream";
import type { ConnectError } from "@connectrpc/connect";
import { tooLarge } from "./wire-protocol.js";

/** Flags byte and 4-byte big-endian length ahead of every gRPC message. */
const PREFIX_BYTES = 5;

/**
 * Passes the body of a unary gRPC request on, bytes untouched, while it holds
 * at most one message of maxBytes: a length prefix that says more is refused
 * at once, as is a body that goes on past one such message, and nothing more
 * is passed on. (A compressed message is checked here by its compressed size;
 * the service checks it again after decompression.)
 */
export function capGrpcRequest(
  rpc: string,
  maxBytes: number,
  refuse: (err: ConnectError) => void,
): Transform {
  let seen = 0;
  // Bytes held back until the first length prefix is whole, so nothing of a refused message goes on.
  let head = Buffer.alloc(0);
  let refused = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (refused) return done();
      seen += chunk.length;
      if (head.length < PREFIX_BYTES) {
        head = Buffer.concat([head, chunk]);
        if (head.length < PREFIX_BYTES) return done();
        chunk = head;
      }
      if (head.readUInt32BE(1) > maxBytes || seen > PREFIX_BYTES + maxBytes) {
        refused = true;
        refuse(tooLarge(rpc, maxBytes));
        return done();
      }
      done(null, chunk);
    },
    flush(done) {
      // A body shorter than a prefix goes on as it came, for the service to refuse as malformed.
      done(null, !refused && head.length < PREFIX_BYTES ? head : undefined);
    },
  });
}
