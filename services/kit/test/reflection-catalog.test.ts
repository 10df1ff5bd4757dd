import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { Health } from "@marquee/sdk/grpc/health/v1/health_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import test from "ava";
import { type Answer, ReflectionCatalog } from "../src/reflection-catalog.js";

const catalog = new ReflectionCatalog([Health, UserService, ContentService], {
  hideMethod: (service, method) => service === "marquee.user.v1.UserService" && method === "CheckSession",
});

/** The files of a file-descriptor answer, as a registry (throws when an import is missing). */
function filesOf(answer: Answer) {
  if (answer.case !== "fileDescriptorResponse") throw new Error(`expected files, got ${answer.case}`);
  const files = answer.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
  const byName = new Map(files.map((f) => [f.name, f]));
  const importsFirst: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto) => {
    if (importsFirst.includes(file)) return;
    for (const name of file.dependency) {
      const imported = byName.get(name);
      if (imported === undefined) throw new Error(`${name}, imported by ${file.name}, is not in the answer`);
      visit(imported);
    }
    importsFirst.push(file);
  };
  files.forEach(visit);
  return {
    names: files.map((f) => f.name),
    registry: createFileRegistry(create(FileDescriptorSetSchema, { file: importsFirst })),
  };
}

test("lists the services it was given, sorted", (t) => {
  t.deepEqual(catalog.answer({ case: "listServices", value: "*" }), {
    case: "listServicesResponse",
    value: {
      service: [
        { name: "grpc.health.v1.Health" },
        { name: "marquee.content.v1.ContentService" },
        { name: "marquee.user.v1.UserService" },
      ],
    },
  });
});

test("a service's file comes first, with every file it imports, enough to build its types", (t) => {
  const { names, registry } = filesOf(
    catalog.answer({ case: "fileContainingSymbol", value: "marquee.content.v1.ContentService" }),
  );
  t.is(names[0], "marquee/content/v1/content_service.proto");
  t.true(names.includes("buf/validate/validate.proto"));
  t.true(names.includes("google/protobuf/descriptor.proto"), "imports of imports are sent too");
  t.is(new Set(names).size, names.length, "each file once");
  const search = registry
    .getService("marquee.content.v1.ContentService")
    ?.methods.find((m) => m.name === "SearchContent");
  t.is(search?.input.typeName, "marquee.content.v1.SearchContentRequest");
  t.true((search?.input.fields.length ?? 0) > 0);
});

test("methods, fields, nested types and enum values resolve to their file", (t) => {
  for (const symbol of [
    "marquee.user.v1.UserService.Login",
    "marquee.user.v1.LoginRequest",
    "marquee.user.v1.LoginRequest.email",
    ".marquee.common.v1.MaturityRating",
    "grpc.health.v1.HealthCheckResponse.ServingStatus",
  ]) {
    t.is(
      catalog.answer({ case: "fileContainingSymbol", value: symbol }).case,
      "fileDescriptorResponse",
      symbol,
    );
  }
});

test("a hidden method is neither described nor found", (t) => {
  const { registry } = filesOf(
    catalog.answer({ case: "fileByFilename", value: "marquee/user/v1/user_service.proto" }),
  );
  const methods = registry.getService("marquee.user.v1.UserService")?.methods.map((m) => m.name) ?? [];
  t.true(methods.includes("Login"));
  t.false(methods.includes("CheckSession"));
  t.is(UserService.methods.length, methods.length + 1, "only the hidden one is left out");
  const answer = catalog.answer({
    case: "fileContainingSymbol",
    value: "marquee.user.v1.UserService.CheckSession",
  });
  t.is(answer.case, "errorResponse");
  t.is(answer.value && "errorCode" in answer.value ? answer.value.errorCode : 0, Code.NotFound);
});

test("extensions: by number and all numbers of a type", (t) => {
  const numbers = catalog.answer({
    case: "allExtensionNumbersOfType",
    value: "google.protobuf.FieldOptions",
  });
  t.is(numbers.case, "allExtensionNumbersResponse");
  const list = numbers.case === "allExtensionNumbersResponse" ? numbers.value.extensionNumber : [];
  t.true(list.includes(1159), "buf.validate.field");
  const { names } = filesOf(
    catalog.answer({
      case: "fileContainingExtension",
      value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 1159 },
    }),
  );
  t.is(names[0], "buf/validate/validate.proto");
});

test("unknown names are NotFound, an empty question InvalidArgument, each saying what", (t) => {
  for (const [answer, code, text] of [
    [
      catalog.answer({ case: "fileContainingSymbol", value: "marquee.nope.v1.Nope" }),
      Code.NotFound,
      "marquee.nope.v1.Nope",
    ],
    [catalog.answer({ case: "fileByFilename", value: "nope.proto" }), Code.NotFound, "nope.proto"],
    [
      catalog.answer({ case: "allExtensionNumbersOfType", value: "marquee.user.v1.UserService" }),
      Code.NotFound,
      "UserService",
    ],
    [
      catalog.answer({
        case: "fileContainingExtension",
        value: { containingType: "google.protobuf.FieldOptions", extensionNumber: 7 },
      }),
      Code.NotFound,
      "extension 7",
    ],
    [catalog.answer({ case: undefined }), Code.InvalidArgument, "no question"],
  ] as const) {
    t.is(answer.case, "errorResponse");
    if (answer.case !== "errorResponse") continue;
    t.is(answer.value.errorCode, code);
    t.true(answer.value.errorMessage.includes(text), answer.value.errorMessage);
  }
});
