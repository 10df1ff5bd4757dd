import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";

/**
 * A service whose every RPC answers Unimplemented naming the issue that builds
 * it, so callers learn what is missing rather than meeting a bare 404.
 * Scaffolding for the foundation issue only: each use goes when its issue lands.
 */
export function notYetImplemented<S extends DescService>(service: S, issue: string): ServiceImpl<S> {
  const impl: Record<string, () => never> = {};
  for (const method of service.methods) {
    impl[method.localName] = () => {
      throw new ConnectError(
        `${service.typeName}/${method.name} is not implemented yet (planned in ${issue})`,
        Code.Unimplemented,
      );
    };
  }
  return impl as unknown as ServiceImpl<S>;
}
