import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  CLIENT_IP_HEADER,
  COUNTRY_HEADER,
  callOptions,
  clientAddressKey,
  SESSION_HEADER,
} from "@marquee/kit";
import { countryKey, sessionIdKey } from "./auth.js";
import { type DeadlinePolicy, streamDeadlineMs, unaryDeadlineMs } from "./deadlines.js";

// The gRPC pass-through sets the same headers, importing them from here.

type AnyCall = (req: unknown, opts: ReturnType<typeof callOptions>) => unknown;

/**
 * A ServiceImpl that passes every call on to the owning service, derived from
 * the descriptor so a new RPC needs no gateway code. The caller's identity,
 * request id and remaining deadline travel on, as the deadline policy says
 * (a unary call without one gets a default, so a stuck upstream cannot hold a
 * client forever; a longer one is capped).
 */
export function forwardingService<S extends DescService>(
  service: S,
  upstream: Client<S>,
  deadlines: DeadlinePolicy,
): ServiceImpl<S> {
  const impl: Record<string, unknown> = {};
  for (const method of service.methods) {
    const call = (upstream as unknown as Record<string, AnyCall>)[method.localName] as AnyCall;
    const options = (ctx: HandlerContext) => {
      const opts = callOptions(ctx);
      opts.timeoutMs =
        method.methodKind === "unary"
          ? unaryDeadlineMs(ctx.timeoutMs(), deadlines)
          : streamDeadlineMs(ctx.timeoutMs());
      const headers = opts.headers as Headers;
      const address = ctx.values.get(clientAddressKey);
      if (address !== "") headers.set(CLIENT_IP_HEADER, address);
      const session = ctx.values.get(sessionIdKey);
      if (session !== "") headers.set(SESSION_HEADER, session);
      const country = ctx.values.get(countryKey);
      if (country !== "") headers.set(COUNTRY_HEADER, country);
      return opts;
    };
    switch (method.methodKind) {
      case "unary":
        impl[method.localName] = async (req: unknown, ctx: HandlerContext) => {
          try {
            return await call(req, options(ctx));
          } catch (err) {
            throw withoutTransportMetadata(err);
          }
        };
        break;
      case "server_streaming":
        impl[method.localName] = async function* (req: unknown, ctx: HandlerContext) {
          try {
            yield* call(req, options(ctx)) as AsyncIterable<unknown>;
          } catch (err) {
            throw withoutTransportMetadata(err);
          }
        };
        break;
      default:
        // No Marquee contract streams from the client; refuse clearly should one appear.
        impl[method.localName] = () => {
          throw new ConnectError(
            `${method.methodKind} RPCs are not forwarded by the gateway`,
            Code.Unimplemented,
          );
        };
    }
  }
  return impl as ServiceImpl<S>;
}

/**
 * An upstream error carries the upstream response's headers (gRPC content
 * type, grpc-status, ...) as metadata, which the server would copy onto our
 * own response in whatever protocol the client speaks. Keep code, message,
 * details and a retry-after (throttling); drop the rest.
 */
function withoutTransportMetadata(err: unknown): unknown {
  if (!(err instanceof ConnectError)) return err;
  const retryAfter = err.metadata.get("retry-after");
  const bare = new ConnectError(
    err.rawMessage,
    err.code,
    retryAfter === null ? undefined : { "retry-after": retryAfter },
  );
  bare.details = err.details;
  return bare;
}
