import type { DescMethod, JsonReadOptions } from "@bufbuild/protobuf";
import { type ConnectRouter, createServiceImplSpec, type MethodImpl } from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import type { Logger } from "pino";
import type { RpcMetrics } from "../metrics.js";
import { strictJsonText } from "./json-text.js";
import type { RequestLimit } from "./limits.js";
import { observeRefusals } from "./refusals.js";

export interface InputRouterOptions {
  limit: RequestLimit;
  log: Logger;
  metrics: RpcMetrics;
}

/**
 * A router that registers each method on its own, so each gets options made
 * for its request type: its size limit (after decompression), strict JSON (an
 * unknown field or enum name is refused, not dropped) and a JSON text decoder
 * that names the field of an unknown enum name. Each handler is wrapped so a
 * request connect-es refuses while reading it is answered as the client's
 * fault and observed like any other call.
 */
export function inputRouter(router: ConnectRouter, o: InputRouterOptions): ConnectRouter {
  const add = (method: DescMethod, impl: unknown, options: Partial<UniversalHandlerOptions> = {}) => {
    // connect-es passes the JSON options, text decoder included, to its JSON serialization.
    const jsonOptions: Partial<JsonReadOptions> & { textDecoder: ReturnType<typeof strictJsonText> } = {
      ...options.jsonOptions,
      ignoreUnknownFields: false,
      textDecoder: strictJsonText(method.input),
    };
    const limit = o.limit(method);
    router.rpc(method, impl as MethodImpl<DescMethod>, { ...options, readMaxBytes: limit, jsonOptions });
    const last = router.handlers.length - 1;
    router.handlers[last] = observeRefusals(router.handlers[last] as (typeof router.handlers)[number], {
      ...o,
      limit,
    });
  };
  const input: ConnectRouter = {
    handlers: router.handlers,
    service(service, implementation, options) {
      const spec = createServiceImplSpec(service, implementation);
      for (const method of service.methods) add(method, spec.methods[method.localName]?.impl, options);
      return input;
    },
    rpc(method, impl, options) {
      add(method, impl, options);
      return input;
    },
  };
  return input;
}
