import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  clearField,
  clone,
  create,
  createFileRegistry,
  createRegistry,
  type DescMessage,
  equals,
  fromBinary,
  type JsonValue,
  type Registry,
  toJson,
} from "@bufbuild/protobuf";
import { pathToString, protoCamelCase } from "@bufbuild/protobuf/reflect";
import {
  type DescriptorProto,
  FieldDescriptorProtoSchema,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  type FileDescriptorSet,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { createValidator } from "@bufbuild/protovalidate";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import test from "ava";
import { printProtoFile } from "../print-proto.js";
import { REPO_ROOT, renderValidateProto, VALIDATE_PROTO_PATH } from "../validate-proto.js";

const BIN = join(REPO_ROOT, "node_modules", ".bin");
const VALIDATE_PROTO = file_buf_validate_validate.proto.name; // "buf/validate/validate.proto"
const validateRegistry = createRegistry(file_buf_validate_validate);

// --- helpers ----------------------------------------------------------------------------------------------

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "marquee-validate-proto-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let result: T;
  try {
    result = fn(dir);
  } catch (err) {
    cleanup();
    throw err;
  }
  if (result instanceof Promise) return result.finally(cleanup) as T;
  cleanup();
  return result;
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function bufCommand(args: string[], cwd: string): void {
  try {
    execFileSync(join(BIN, "buf"), args, {
      cwd,
      encoding: "utf8",
      stdio: "pipe",
      env: { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH ?? ""}` },
    });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.trim() || String(err);
    throw new Error(`buf ${args.join(" ")} failed:\n${output}`);
  }
}

/** Compiles the given files as a standalone buf module (its own buf.yaml, nothing from the repo). */
function bufBuild(files: Record<string, string>): FileDescriptorSet {
  return withTempDir((dir) => {
    writeFiles(dir, { "buf.yaml": "version: v2\n", ...files });
    // --as-file-descriptor-set drops buf's own image metadata (unknown field 8042 on each file).
    bufCommand(["build", "--as-file-descriptor-set", "-o", "image.binpb"], dir);
    return fromBinary(FileDescriptorSetSchema, readFileSync(join(dir, "image.binpb")));
  });
}

function fileIn(set: FileDescriptorSet, name: string): FileDescriptorProto {
  const file = set.file.find((f) => f.name === name);
  if (!file)
    throw new Error(`${name} is not in the image (files: ${set.file.map((f) => f.name).join(", ")})`);
  return file;
}

function allMessages(messages: DescriptorProto[]): DescriptorProto[] {
  return messages.flatMap((m) => [m, ...allMessages(m.nestedType)]);
}

/**
 * Removes what legitimately differs between the embedded descriptor and a fresh compile: source code info,
 * the explicit syntax "proto2" (protoc leaves it unset), and json_name when it is the default one (embedded
 * descriptors strip it, compilers set it).
 */
function normalize(file: FileDescriptorProto): FileDescriptorProto {
  const f = clone(FileDescriptorProtoSchema, file);
  clearField(f, FileDescriptorProtoSchema.field.sourceCodeInfo);
  if (f.syntax === "proto2") clearField(f, FileDescriptorProtoSchema.field.syntax);
  const messages = allMessages(f.messageType);
  for (const field of [...f.extension, ...messages.flatMap((m) => [...m.field, ...m.extension])]) {
    if (field.jsonName === protoCamelCase(field.name))
      clearField(field, FieldDescriptorProtoSchema.field.jsonName);
  }
  return f;
}

/** Structural differences as readable paths (e.g. `messageType[StringRules].field[min_len].number: 2 → 900`). */
function diffDescriptors(
  expected: FileDescriptorProto,
  actual: FileDescriptorProto,
  registry: Registry,
): string[] {
  const a = normalize(expected);
  const b = normalize(actual);
  const diffs: string[] = [];
  diffJson(
    toJson(FileDescriptorProtoSchema, a, { registry }),
    toJson(FileDescriptorProtoSchema, b, { registry }),
    "",
    diffs,
  );
  // Belt and braces: also compare extensions and unknown fields (e.g. options not in the registry) by value.
  if (
    diffs.length === 0 &&
    !equals(FileDescriptorProtoSchema, a, b, { registry, extensions: true, unknown: true })
  ) {
    diffs.push("descriptors differ in extensions or unknown fields");
  }
  return diffs;
}

function diffJson(a: JsonValue | undefined, b: JsonValue | undefined, path: string, out: string[]): void {
  const isObject = (v: unknown): v is { [k: string]: JsonValue } => typeof v === "object" && v !== null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const item = a[i] ?? b[i];
      const name = isObject(item) && !Array.isArray(item) && typeof item.name === "string" ? item.name : i;
      diffJson(a[i], b[i], `${path}[${name}]`, out);
    }
  } else if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diffJson(a[key], b[key], path === "" || key.startsWith("[") ? `${path}${key}` : `${path}.${key}`, out);
    }
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push(`${path}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`);
  }
}

function formatDiffs(diffs: string[]): string {
  const shown = diffs.slice(0, 25).map((d) => `  ${d}`);
  if (diffs.length > shown.length) shown.push(`  … and ${diffs.length - shown.length} more`);
  return shown.join("\n");
}

// --- validate.proto ---------------------------------------------------------------------------------------

test("proto/buf/validate/validate.proto is up to date", (t) => {
  const onDisk = readFileSync(VALIDATE_PROTO_PATH, "utf8");
  t.true(
    onDisk === renderValidateProto(),
    "proto/buf/validate/validate.proto is stale; run `node --import tsx scripts/proto/validate-proto.ts`",
  );
});

test("validate.proto compiles back to exactly the descriptor embedded in @bufbuild/protovalidate", (t) => {
  const embedded = file_buf_validate_validate.proto;
  t.is(embedded.syntax, "", "expected a proto2 file (editions would need `features` support in the printer)");
  const compiled = fileIn(
    bufBuild({ [VALIDATE_PROTO]: readFileSync(VALIDATE_PROTO_PATH, "utf8") }),
    VALIDATE_PROTO,
  );
  const diffs = diffDescriptors(embedded, compiled, validateRegistry);
  t.deepEqual(
    diffs,
    [],
    `compiled validate.proto differs from the embedded descriptor:\n${formatDiffs(diffs)}`,
  );
  // Sanity check that the comparison covers what matters, including the printed custom options.
  t.true(
    JSON.stringify(toJson(FileDescriptorProtoSchema, compiled, { registry: validateRegistry })).includes(
      "[buf.validate.predefined]",
    ),
  );
});

test("validate.proto is formatted the way `buf format` formats it", (t) => {
  withTempDir((dir) => {
    writeFiles(dir, {
      "buf.yaml": "version: v2\n",
      [VALIDATE_PROTO]: readFileSync(VALIDATE_PROTO_PATH, "utf8"),
    });
    t.notThrows(() => bufCommand(["format", "--diff", "--exit-code"], dir));
  });
});

test("the round-trip comparison catches a changed field number and a changed rule", (t) => {
  const printed = renderValidateProto();
  const mutated = printed
    .replace("optional uint64 min_len = 2 [", "optional uint64 min_len = 900 [")
    .replace("'must be at least %s characters'", "'must be at least %s chars'");
  t.not(mutated, printed);
  const compiled = fileIn(bufBuild({ [VALIDATE_PROTO]: mutated }), VALIDATE_PROTO);
  const diffs = diffDescriptors(file_buf_validate_validate.proto, compiled, validateRegistry);
  t.true(
    diffs.includes("messageType[StringRules].field[min_len].number: expected 2, got 900"),
    formatDiffs(diffs),
  );
  t.true(
    diffs.some((d) =>
      d.startsWith("messageType[StringRules].field[min_len].options[buf.validate.predefined]"),
    ),
    formatDiffs(diffs),
  );
});

// --- the generic printer ----------------------------------------------------------------------------------

const FIXTURE: Record<string, string> = {
  "fix/v1/opts.proto": String.raw`syntax = "proto2";
package fix.v1;
import "google/protobuf/descriptor.proto";
option java_package = "com.example.fix";
option optimize_for = CODE_SIZE;
enum Color {
  option allow_alias = true;
  COLOR_UNSPECIFIED = 0;
  RED = 1;
  CRIMSON = 1 [deprecated = true];
  BLUE = 2;
  reserved 5 to 7, 10 to max;
  reserved "GREEN";
}
message Rules {
  optional string s = 1;
  optional bytes b = 2;
  optional double d = 3;
  repeated int64 n = 4;
  optional Color c = 5;
  optional Rules nested = 6;
  optional float f = 7;
}
extend google.protobuf.FieldOptions {
  optional Rules rules = 50001;
  repeated string tags = 50002;
  optional Color color = 50003;
}
extend google.protobuf.MessageOptions {
  optional bool flag = 50001;
}
message Defaults {
  required string name = 1 [default = "a\"b\n\\c\001é"];
  optional bytes raw = 2 [default = "\000\377x"];
  optional float inf = 3 [default = inf];
  optional double neg = 4 [default = -1.5e-10];
  optional Color color = 5 [default = BLUE];
  optional int64 big = 6 [default = -9223372036854775808];
  optional uint32 custom_json = 7 [json_name = "renamed"];
  repeated int32 packed = 8 [packed = true, deprecated = true];
  optional double nan = 9 [default = nan];
  message Inner {
    optional int32 x = 1;
    enum Kind { KIND_UNSPECIFIED = 0; }
    extend Defaults { optional Inner inner_ext = 100; }
  }
  oneof choice {
    string a = 10;
    Inner b = 11;
  }
  optional Inner.Kind kind = 12;
  extensions 100 to 199;
  extensions 1000 to max;
  reserved 20, 30 to 40;
  reserved "old";
}
`,
  "fix/v1/svc.proto": String.raw`syntax = "proto3";
package fix.v1;
import "fix/v1/opts.proto";
message Request {
  option deprecated = true;
  option (fix.v1.flag) = true;
  map<string, Request> children = 1;
  map<int32, string> labels = 2 [(fix.v1.tags) = "a", (fix.v1.tags) = "b"];
  optional string nick = 3;
  repeated uint64 ids = 4;
  oneof kind {
    string text = 5 [(fix.v1.rules) = {s: "x\ty\"z" b: "\001\377" d: 1.5 n: [1, -2] c: RED nested {s: "deep"} f: -0.25}];
    string color = 6 [(fix.v1.color) = CRIMSON];
  }
  optional int32 count = 7;
  bytes data = 8;
}
message Response {}
service Echo {
  option deprecated = true;
  rpc Unary(Request) returns (Response);
  rpc Stream(stream Request) returns (stream Response) {
    option idempotency_level = NO_SIDE_EFFECTS;
  }
}
`,
};

test("the printer round-trips proto2/proto3 files: maps, oneofs, defaults, services and custom options", (t) => {
  const original = bufBuild(FIXTURE);
  const registry = createFileRegistry(original);
  const printed = Object.fromEntries(
    Object.keys(FIXTURE).map((name) => [name, printProtoFile(fileIn(original, name), { registry })]),
  );
  const reprinted = bufBuild(printed);
  for (const name of Object.keys(FIXTURE)) {
    const diffs = diffDescriptors(fileIn(original, name), fileIn(reprinted, name), registry);
    t.deepEqual(diffs, [], `${name} does not round-trip:\n${formatDiffs(diffs)}\n\n${printed[name]}`);
  }
});

// --- using it: annotations compile, generate with protoc-gen-es, validate at runtime ------------------------

const SAMPLE = `syntax = "proto3";

package x.v1;

import "buf/validate/validate.proto";

message X {
  option (buf.validate.message).oneof = {fields: ["email", "phone"], required: true};

  string name = 1 [(buf.validate.field).string.min_len = 1];
  int32 age = 2 [(buf.validate.field).int32 = {gte: 1, lte: 100}];
  Inner inner = 3 [(buf.validate.field).required = true];
  string email = 4 [(buf.validate.field).string.email = true];
  string phone = 5;
  int32 score = 6 [(buf.validate.field).cel = {id: "x", message: "y", expression: "this > 0"}];
}

message Inner {
  string id = 1;
}
`;

/** The protoc-gen-es options to use for the real buf.gen.yaml. */
const BUF_GEN_YAML = `version: v2
inputs:
  - directory: .
    exclude_paths: [buf]
plugins:
  - local: protoc-gen-es
    out: ../gen
    opt:
      - target=ts
      - import_extension=js
      - rewrite_imports=./buf/**/*_pb.js:@bufbuild/protovalidate/gen
`;

test("annotations compile, generate with protoc-gen-es and are enforced by protovalidate", async (t) => {
  await withTempDir(async (dir) => {
    // <dir>/proto is the buf module; generated code goes to <dir>/gen and resolves packages through a
    // node_modules symlink next to it (outside the module, or buf would try to compile node_modules).
    writeFiles(dir, {
      "package.json": '{ "type": "module" }\n',
      "proto/buf.yaml": "version: v2\n",
      "proto/buf.gen.yaml": BUF_GEN_YAML,
      [`proto/${VALIDATE_PROTO}`]: readFileSync(VALIDATE_PROTO_PATH, "utf8"),
      "proto/x/v1/x.proto": SAMPLE,
    });
    symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    bufCommand(["build", "-o", "/dev/null"], join(dir, "proto"));
    bufCommand(["generate"], join(dir, "proto"));

    const source = readFileSync(join(dir, "gen/x/v1/x_pb.ts"), "utf8");
    t.true(source.includes('from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js"'), source);
    t.throws(() => readFileSync(join(dir, `gen/${VALIDATE_PROTO.replace(".proto", "_pb.ts")}`)));

    const gen = (await import(pathToFileURL(join(dir, "gen/x/v1/x_pb.ts")).href)) as {
      XSchema: DescMessage;
      InnerSchema: DescMessage;
    };
    // The generated file depends on the very descriptor object the npm package exports.
    t.is(gen.XSchema.file.dependencies[0], file_buf_validate_validate);

    const validator = createValidator();
    const bad = create(gen.XSchema, { name: "", age: 0, email: "not-an-email", phone: "123", score: -1 });
    const result = validator.validate(gen.XSchema, bad);
    t.is(result.kind, "invalid");
    const violations = (result.violations ?? []).map((v) => `${pathToString(v.field)}: ${v.ruleId}`).sort();
    t.deepEqual(violations, [
      ": message.oneof",
      "age: int32.gte_lte",
      "email: string.email",
      "inner: required",
      "name: string.min_len",
      "score: x",
    ]);
    const good = create(gen.XSchema, {
      name: "a",
      age: 5,
      inner: create(gen.InnerSchema),
      email: "a@example.com",
      score: 1,
    });
    t.is(validator.validate(gen.XSchema, good).kind, "valid");
  });
});
