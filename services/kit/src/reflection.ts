import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { ServerReflection as ReflectionV1 } from "@marquee/sdk/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ReflectionV1Alpha } from "@marquee/sdk/grpc/reflection/v1alpha/reflection_pb";
import { type Question, ReflectionCatalog, type ReflectionOptions } from "./reflection-catalog.js";

export type { ReflectionOptions } from "./reflection-catalog.js";

/** The two versions of gRPC server reflection every Marquee server answers. */
export const REFLECTION_SERVICES: readonly DescService[] = [ReflectionV1, ReflectionV1Alpha];

/** One answer per question, in order, for as long as the client keeps asking. */
function answering(catalog: ReflectionCatalog) {
  return async function* <R extends { host: string; messageRequest: Question }>(requests: AsyncIterable<R>) {
    for await (const request of requests) {
      yield {
        validHost: request.host,
        originalRequest: request,
        messageResponse: catalog.answer(request.messageRequest),
      };
    }
  };
}

/**
 * Registers grpc.reflection.v1 and v1alpha, describing the given services,
 * both reflection services and every file they import, so grpcurl, buf curl
 * --reflect, Postman and grpcui can list and call them without .proto files.
 * Reflection is a bidirectional stream: it needs HTTP/2 (gRPC, or Connect over
 * HTTP/2).
 */
export function registerReflection(
  router: ConnectRouter,
  services: DescService[],
  opts: ReflectionOptions = {},
): void {
  const catalog = new ReflectionCatalog([...services, ...REFLECTION_SERVICES], opts);
  router.service(ReflectionV1, { serverReflectionInfo: answering(catalog) });
  router.service(ReflectionV1Alpha, { serverReflectionInfo: answering(catalog) });
}
