import http2 from "node:http2";
import { codeFromString } from "@connectrpc/connect/protocol-connect";
import { trailerParse } from "@connectrpc/connect/protocol-grpc-web";

/** How a call sent as raw bytes ended, in any protocol. */
export interface RawOutcome {
  /** 0 for OK, else the status code. */
  code: number;
  message: string;
  httpStatus: number;
  /** The response headers, and a gRPC response's trailers. */
  headers: Headers;
}

/** One gRPC / gRPC-Web message: flags, 4-byte big-endian length, the bytes. */
export function envelope(message: Uint8Array, flags = 0): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** A Connect unary call over HTTP/1.1 whose body is exactly `body`. */
export async function connectCall(
  url: string,
  contentType: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<RawOutcome> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
  const text = await res.text();
  if (res.ok) return { code: 0, message: "", httpStatus: res.status, headers: res.headers };
  const error = JSON.parse(text) as { code: string; message?: string };
  return {
    code: codeFromString(error.code) ?? -1,
    message: error.message ?? "",
    httpStatus: res.status,
    headers: res.headers,
  };
}

/** A gRPC-Web call over HTTP/1.1 whose body (envelopes included) is exactly `body`. */
export async function grpcWebCall(
  url: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
  contentType = "application/grpc-web+proto",
): Promise<RawOutcome> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body: Buffer.from(body),
  });
  const status = new Headers(res.headers);
  for (const { flags, data } of envelopes(Buffer.from(await res.arrayBuffer())))
    if (flags & 0x80)
      trailerParse(data).forEach((v, k) => {
        status.set(k, v);
      });
  return outcomeOf(res.status, status);
}

/** A Connect server-streaming call over HTTP/1.1 whose body (envelopes included) is exactly `body`. */
export async function connectStreamCall(
  url: string,
  codec: "json" | "proto",
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<RawOutcome> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": `application/connect+${codec}`, ...headers },
    body: Buffer.from(body),
  });
  for (const { flags, data } of envelopes(Buffer.from(await res.arrayBuffer()))) {
    if (!(flags & 0x02)) continue;
    const { error } = JSON.parse(data.toString()) as { error?: { code: string; message?: string } };
    return {
      code: error === undefined ? 0 : (codeFromString(error.code) ?? -1),
      message: error?.message ?? "",
      httpStatus: res.status,
      headers: res.headers,
    };
  }
  return { code: -1, message: "no end of stream", httpStatus: res.status, headers: res.headers };
}

/** The envelopes of a gRPC-Web or Connect streaming body. */
function envelopes(bytes: Buffer): { flags: number; data: Buffer }[] {
  const found: { flags: number; data: Buffer }[] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 5 + bytes.readUInt32BE(at + 1))
    found.push({
      flags: bytes[at] as number,
      data: bytes.subarray(at + 5, at + 5 + bytes.readUInt32BE(at + 1)),
    });
  return found;
}

/**
 * A gRPC call over HTTP/2 whose body is exactly what `body` yields; a source
 * that holds back the rest of a body shows whether the server answers without
 * waiting for it (the call settles on the server's answer either way).
 */
export async function grpcCall(
  url: string,
  body: Uint8Array | AsyncIterable<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<RawOutcome> {
  const target = new URL(url);
  const session = http2.connect(target.origin);
  try {
    return await new Promise<RawOutcome>((resolve, reject) => {
      session.on("error", reject);
      const stream = session.request({
        ":method": "POST",
        ":path": target.pathname,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      const seen = new Headers();
      let httpStatus = 0;
      const take = (h: http2.IncomingHttpHeaders) => {
        for (const [k, v] of Object.entries(h))
          if (!k.startsWith(":") && v !== undefined) seen.set(k, String(v));
      };
      stream.on("response", (h) => {
        httpStatus = Number(h[":status"]);
        take(h);
        if (h["grpc-status"] !== undefined) resolve(outcomeOf(httpStatus, seen));
      });
      stream.on("trailers", (h) => {
        take(h);
        resolve(outcomeOf(httpStatus, seen));
      });
      stream.on("close", () => resolve(outcomeOf(httpStatus, seen)));
      stream.on("error", reject);
      stream.resume();
      if (body instanceof Uint8Array) stream.end(body);
      else
        (async () => {
          for await (const chunk of body) if (!stream.destroyed) stream.write(chunk);
          if (!stream.destroyed) stream.end();
        })().catch(reject);
    });
  } finally {
    session.destroy();
  }
}

function outcomeOf(httpStatus: number, headers: Headers): RawOutcome {
  const message = headers.get("grpc-message") ?? "";
  return {
    code: Number(headers.get("grpc-status") ?? -1),
    message: decodeURIComponent(message),
    httpStatus,
    headers,
  };
}
