import {
  clone,
  createRegistry,
  type DescFile,
  type DescService,
  type Registry,
  toBinary,
} from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";

/** A reflection question: the request oneof of grpc.reflection.v1 and v1alpha alike. */
export type Question =
  | {
      case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices";
      value: string;
    }
  | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
  | { case: undefined; value?: undefined };

/** Its answer: the response oneof, as the init shape both protocol versions accept. */
export type Answer =
  | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
  | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
  | { case: "listServicesResponse"; value: { service: { name: string }[] } }
  | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } };

export interface ReflectionOptions {
  /**
   * Methods left out of every description, by fully-qualified service name and
   * method name (the gateway hides the RPCs no outside client may call).
   */
  hideMethod?: (service: string, method: string) => boolean;
}

const notFound = (what: string): Answer => ({
  case: "errorResponse",
  value: { errorCode: Code.NotFound, errorMessage: `${what} is not known to this server` },
});

/**
 * What server reflection tells about a server: its services, and the file
 * descriptors (as protobuf-es embeds them in the generated code) of every file
 * they use, each sent with all the files it imports so a client can build
 * every type from one answer.
 */
export class ReflectionCatalog {
  readonly #services: string[];
  readonly #files = new Map<string, DescFile>();
  readonly #encoded = new Map<string, Uint8Array>();
  readonly #registry: Registry;
  readonly #hide: (service: string, method: string) => boolean;

  constructor(services: DescService[], opts: ReflectionOptions = {}) {
    this.#services = [...new Set(services.map((s) => s.typeName))].sort();
    this.#hide = opts.hideMethod ?? (() => false);
    for (const service of services) this.#collect(service.file);
    this.#registry = createRegistry(...this.#files.values());
  }

  answer(question: Question): Answer {
    switch (question.case) {
      case "listServices":
        return { case: "listServicesResponse", value: { service: this.#services.map((name) => ({ name })) } };
      case "fileByFilename": {
        const file = this.#files.get(question.value);
        return file ? this.#withImports(file) : notFound(`file "${question.value}"`);
      }
      case "fileContainingSymbol": {
        const file = this.#fileDefining(question.value.replace(/^\./, ""));
        return file ? this.#withImports(file) : notFound(`symbol "${question.value}"`);
      }
      case "fileContainingExtension": {
        const { containingType, extensionNumber } = question.value;
        const extendee = this.#registry.get(containingType);
        const extension =
          extendee?.kind === "message"
            ? this.#registry.getExtensionFor(extendee, extensionNumber)
            : undefined;
        return extension
          ? this.#withImports(extension.file)
          : notFound(`extension ${extensionNumber} of "${containingType}"`);
      }
      case "allExtensionNumbersOfType": {
        const type = this.#registry.get(question.value);
        if (type?.kind !== "message") return notFound(`message type "${question.value}"`);
        const numbers = [...this.#registry].flatMap((d) =>
          d.kind === "extension" && d.extendee.typeName === type.typeName ? [d.number] : [],
        );
        return {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: type.typeName, extensionNumber: numbers.sort((a, b) => a - b) },
        };
      }
      default:
        return {
          case: "errorResponse",
          value: { errorCode: Code.InvalidArgument, errorMessage: "the request asks no question" },
        };
    }
  }

  #collect(file: DescFile): void {
    if (this.#files.has(file.proto.name)) return;
    this.#files.set(file.proto.name, file);
    for (const dependency of file.dependencies) this.#collect(dependency);
  }

  /** The file of a type, service or extension, or of the service, message or enum a member belongs to. */
  #fileDefining(symbol: string): DescFile | undefined {
    const whole = this.#registry.get(symbol);
    if (whole) return whole.file;
    const dot = symbol.lastIndexOf(".");
    const parent = this.#registry.get(symbol.slice(0, dot));
    const member = symbol.slice(dot + 1);
    switch (parent?.kind) {
      case "service":
        return parent.methods.some((m) => m.name === member) && !this.#hide(parent.typeName, member)
          ? parent.file
          : undefined;
      case "message":
        return parent.fields.some((f) => f.name === member) || parent.oneofs.some((o) => o.name === member)
          ? parent.file
          : undefined;
      case "enum":
        return parent.values.some((v) => v.name === member) ? parent.file : undefined;
      default:
        return undefined;
    }
  }

  #withImports(file: DescFile): Answer {
    const order: DescFile[] = [];
    const visit = (f: DescFile) => {
      if (order.includes(f)) return;
      order.push(f);
      for (const dependency of f.dependencies) visit(dependency);
    };
    visit(file);
    return {
      case: "fileDescriptorResponse",
      value: { fileDescriptorProto: order.map((f) => this.#encode(f)) },
    };
  }

  #encode(file: DescFile): Uint8Array {
    let bytes = this.#encoded.get(file.proto.name);
    if (bytes === undefined) {
      bytes = toBinary(FileDescriptorProtoSchema, this.#visible(file.proto));
      this.#encoded.set(file.proto.name, bytes);
    }
    return bytes;
  }

  /** The file as clients may see it: without the hidden methods. */
  #visible(proto: FileDescriptorProto): FileDescriptorProto {
    const prefix = proto.package === "" ? "" : `${proto.package}.`;
    const hides = (service: string, method: string) => this.#hide(`${prefix}${service}`, method);
    if (!proto.service.some((s) => s.method.some((m) => hides(s.name, m.name)))) return proto;
    const copy = clone(FileDescriptorProtoSchema, proto);
    for (const service of copy.service) {
      service.method = service.method.filter((m) => !hides(service.name, m.name));
    }
    return copy;
  }
}
