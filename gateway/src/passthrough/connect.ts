import { Transform } from "node:stream";
import { ConnectError } from "@connectrpc/connect";
import {
  codeFromHttpStatus,
  codeToHttpStatus,
  errorFromJsonBytes,
  errorToJsonBytes,
} from "@connectrpc/connect/protocol-connect";
import { type OutcomeReader, tooLarge, type WireProtocol } from "./wire-protocol.js";

/** An error body is small (code, message, details); more than this of one is not read for the log. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Passes a unary Connect body on while it is at most maxBytes, the whole body
 * being the message (a compressed one is checked by its compressed size here;
 * the service checks it again after decompression).
 */
function capBody(rpc: string, maxBytes: number, refuse: (err: ConnectError) => void): Transform {
  let seen = 0;
  let refused = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (refused) return done();
      seen += chunk.length;
      if (seen > maxBytes) {
        refused = true;
        refuse(tooLarge(rpc, maxBytes));
        return done();
      }
      done(null, chunk);
    },
  });
}

/**
 * Connect unary in the binary codec (what the web player speaks), over HTTP/1.1
 * or HTTP/2: the HTTP status says success, an error is a JSON body. A timeout
 * header the router would refuse as malformed is left to the router, which
 * says so; JSON calls take the router too.
 */
export const connectUnary: WireProtocol = {
  name: "connect",
  http2Trailers: false,
  takes: (req, contentType) => {
    const timeout = req.headers["connect-timeout-ms"];
    return (
      contentType === "application/proto" && (timeout === undefined || /^\d{1,10}$/.test(String(timeout)))
    );
  },
  clientTimeoutMs: (headers) => {
    const value = headers["connect-timeout-ms"];
    return typeof value === "string" ? Number(value) : undefined;
  },
  passedOn: ["content-type", "content-encoding", "accept-encoding", "connect-protocol-version", "user-agent"],
  deadlineHeaders: (ms) => ({ "connect-timeout-ms": String(Math.max(1, Math.ceil(ms))) }),
  capRequest: capBody,
  refuse(_req, res, err) {
    res.writeHead(codeToHttpStatus(err.code), { "content-type": "application/json" });
    res.end(errorToJsonBytes(err, {}));
  },
  fail(res) {
    // The status line is out: all that is left to say is that the body is cut short.
    res.destroy();
  },
  outcomeReader(): OutcomeReader {
    let status = 0;
    const body: Buffer[] = [];
    let bytes = 0;
    return {
      headers(h) {
        status = Number(h[":status"] ?? 200);
      },
      data(chunk) {
        if (status === 200 || bytes + chunk.length > MAX_ERROR_BODY) return;
        body.push(chunk);
        bytes += chunk.length;
      },
      trailers() {},
      outcome() {
        if (status === 200) return { code: 0 };
        const fallback = new ConnectError(`HTTP ${status}`, codeFromHttpStatus(status));
        const err = errorFromJsonBytes(Buffer.concat(body), undefined, fallback);
        return { code: err.code, message: err.rawMessage };
      },
    };
  },
};
