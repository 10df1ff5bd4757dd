import type { DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";

/**
 * An error raised while a request was read and decoded, said as the client's
 * fault. connect-es reports a request it cannot decode (protobuf binary that
 * does not parse, a broken gzip stream, a compressed message without an
 * encoding) as Internal, though nothing but the request was involved; and its
 * size refusal names its own option instead of the limit.
 */
export function requestReadError(err: ConnectError, method: DescMethod, limit: number): ConnectError {
  switch (err.code) {
    case Code.Internal: {
      const binary = /^parse binary: (.*)$/s.exec(err.rawMessage);
      return new ConnectError(
        binary === null
          ? `malformed request: ${err.rawMessage}`
          : `malformed request: not a valid ${method.input.typeName} in protobuf binary (${binary[1]})`,
        Code.InvalidArgument,
      );
    }
    case Code.ResourceExhausted:
      return new ConnectError(
        `request too large: ${method.parent.typeName}/${method.name} takes at most ${limit} bytes (after decompression)`,
        Code.ResourceExhausted,
      );
    default:
      return err;
  }
}
