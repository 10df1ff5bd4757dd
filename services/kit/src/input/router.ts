import type { DescMethod, JsonReadOptions } from "@bufbuild/protobuf";
import { type ConnectRouter, createServiceImplSpec, type MethodImpl } from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import { strictJsonText } from "./json-text.js";

/**
 * A router that registers each method on its own, so each gets options made
 * for its request type: strict JSON (an unknown field or enum name is refused,
 * not dropped) and a JSON text decoder that names the field of an unknown
 * enum name.
 */
export function inputRouter(router: ConnectRouter): ConnectRouter {
  const add = (method: DescMethod, impl: unknown, options: Partial<UniversalHandlerOptions> = {}) => {
    // connect-es passes the JSON options, text decoder included, to its JSON serialization.
    const jsonOptions: Partial<JsonReadOptions> & { textDecoder: ReturnType<typeof strictJsonText> } = {
      ...options.jsonOptions,
      ignoreUnknownFields: false,
      textDecoder: strictJsonText(method.input),
    };
    router.rpc(method, impl as MethodImpl<DescMethod>, { ...options, jsonOptions });
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
