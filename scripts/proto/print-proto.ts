/**
 * Prints a google.protobuf.FileDescriptorProto back into .proto source.
 *
 * Scope: proto2 and proto3 files with messages (nested, oneofs, proto3 `optional`, maps), enums, extensions,
 * extension ranges, reserved ranges/names, services, field defaults, custom json_name, and options — both the
 * built-in ones and custom options (extensions of the *Options messages, resolved through `registry` and printed
 * as text-format literals). Anything outside this scope (editions, groups, uninterpreted options, options that
 * cannot be resolved) throws instead of printing something that would not round-trip.
 *
 * Type names are printed fully qualified with a leading dot (".pkg.Msg") so they can never resolve differently
 * than in the descriptor. The descriptor keeps no comments and no declaration order between top-level
 * definitions of different kinds, so extensions are printed first, then messages, enums and services.
 */
import type { DescExtension, DescField, DescMessage, Message, Registry } from "@bufbuild/protobuf";
import { getExtension, isFieldSet, ScalarType } from "@bufbuild/protobuf";
import { isReflectMessage, protoCamelCase, type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  EnumOptionsSchema,
  EnumValueOptionsSchema,
  ExtensionRangeOptionsSchema,
  type FieldDescriptorProto,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
  type FileDescriptorProto,
  FileOptionsSchema,
  FieldDescriptorProto_Label as Label,
  MessageOptionsSchema,
  MethodOptionsSchema,
  type OneofDescriptorProto,
  OneofOptionsSchema,
  type ServiceDescriptorProto,
  ServiceOptionsSchema,
  FieldDescriptorProto_Type as Type,
} from "@bufbuild/protobuf/wkt";

export interface PrintOptions {
  /** Comment lines printed at the top of the file (without the leading "//"). */
  header?: readonly string[];
  /** Resolves custom options (extensions set on the *Options messages). Required if any are set. */
  registry?: Registry;
}

/** Highest field number; `to max` in extension and reserved ranges. */
const MAX_FIELD_NUMBER = 536_870_911;
const MAX_ENUM_NUMBER = 2_147_483_647;

export function printProtoFile(file: FileDescriptorProto, options: PrintOptions = {}): string {
  return new ProtoPrinter(file, options.registry).printFile(options.header ?? []);
}

class ProtoPrinter {
  private readonly lines: string[] = [];
  private depth = 0;
  private readonly syntax: "proto2" | "proto3";

  constructor(
    private readonly file: FileDescriptorProto,
    private readonly registry: Registry | undefined,
  ) {
    if (file.syntax === "" || file.syntax === "proto2") {
      this.syntax = "proto2";
    } else if (file.syntax === "proto3") {
      this.syntax = "proto3";
    } else {
      throw new Error(`${file.name}: syntax "${file.syntax}" is not supported (only proto2 and proto3)`);
    }
  }

  printFile(header: readonly string[]): string {
    const f = this.file;
    for (const h of header) this.line(h === "" ? "//" : `// ${h}`);
    if (header.length > 0) this.blank();
    this.line(`syntax = "${this.syntax}";`);
    this.blank();
    if (f.package !== "") {
      this.line(`package ${f.package};`);
      this.blank();
    }
    if (f.dependency.length > 0) {
      f.dependency.forEach((dep, i) => {
        const modifier = f.publicDependency.includes(i)
          ? "public "
          : f.weakDependency.includes(i)
            ? "weak "
            : "";
        this.line(`import ${modifier}${quote(dep)};`);
      });
      this.blank();
    }
    // Sorted by name like `buf format` does (a stable sort keeps repeated options in order).
    const optionName = (entry: string) => entry.slice(0, entry.indexOf(" = "));
    const fileOptions = this.optionEntries(FileOptionsSchema, f.options).sort((a, b) =>
      optionName(a) < optionName(b) ? -1 : optionName(a) > optionName(b) ? 1 : 0,
    );
    if (fileOptions.length > 0) {
      for (const entry of fileOptions) this.line(`option ${entry};`);
      this.blank();
    }
    const blocks: Array<() => void> = [
      ...groupByExtendee(f.extension).map((group) => () => this.extendBlock(group)),
      ...f.messageType.map((m) => () => this.message(m)),
      ...f.enumType.map((e) => () => this.enumeration(e)),
      ...f.service.map((s) => () => this.service(s)),
    ];
    blocks.forEach((block, i) => {
      if (i > 0) this.blank();
      block();
    });
    return `${this.lines.join("\n")}\n`;
  }

  // --- output helpers -------------------------------------------------------------------------------------

  /** Writes text (may span several lines) at the current indentation. */
  private line(text: string): void {
    for (const l of text.split("\n")) this.lines.push(l === "" ? "" : "  ".repeat(this.depth) + l);
  }

  private blank(): void {
    this.lines.push("");
  }

  private block(opening: string, body: () => void): void {
    this.line(`${opening} {`);
    const start = this.lines.length;
    this.depth++;
    body();
    this.depth--;
    if (this.lines.length === start) this.lines[start - 1] += "}";
    else this.line("}");
  }

  // --- definitions ----------------------------------------------------------------------------------------

  private message(m: DescriptorProto): void {
    this.block(`message ${m.name}`, () => {
      for (const entry of this.optionEntries(MessageOptionsSchema, m.options)) this.line(`option ${entry};`);
      this.messageFields(m);
      for (const e of m.enumType) this.enumeration(e);
      for (const n of m.nestedType) {
        if (!n.options?.mapEntry) this.message(n); // map entries are printed as map<K, V> fields
      }
      for (const group of groupByExtendee(m.extension)) this.extendBlock(group);
      for (const r of m.extensionRange) {
        const range = formatRange(r.start, r.end - 1, MAX_FIELD_NUMBER);
        const opts = this.optionEntries(ExtensionRangeOptionsSchema, r.options);
        this.line(`extensions ${range}${bracket(opts)};`);
      }
      this.reserved(
        m.reservedRange.map((r) => formatRange(r.start, r.end - 1, MAX_FIELD_NUMBER)),
        m.reservedName,
      );
    });
  }

  /** Fields in declaration order; the fields of a (non-synthetic) oneof are printed as one `oneof` block. */
  private messageFields(m: DescriptorProto): void {
    let nextOneof = 0;
    for (let i = 0; i < m.field.length; i++) {
      const f = m.field[i] as FieldDescriptorProto;
      const index = realOneofIndex(f);
      if (index === undefined) {
        this.field(f, m);
        continue;
      }
      // Oneofs are declared in the order of their first field, and their fields are contiguous.
      const members = m.field.filter((x) => realOneofIndex(x) === index);
      if (
        index !== nextOneof++ ||
        m.field.slice(i, i + members.length).some((x) => realOneofIndex(x) !== index)
      ) {
        throw new Error(`${m.name}: oneof ${index} is out of order or its fields are not contiguous`);
      }
      this.oneof(m.oneofDecl[index] as OneofDescriptorProto, members, m);
      i += members.length - 1;
    }
    // The compiler appends one synthetic oneof per proto3 `optional` field, after the real oneofs.
    const synthetic = m.field.filter((f) => f.proto3Optional).map((f) => f.oneofIndex);
    if (
      synthetic.some((index, i) => index !== nextOneof + i) ||
      nextOneof + synthetic.length !== m.oneofDecl.length
    ) {
      throw new Error(`${m.name}: oneof declarations do not match its fields`);
    }
  }

  private oneof(o: OneofDescriptorProto, fields: FieldDescriptorProto[], parent: DescriptorProto): void {
    this.block(`oneof ${o.name}`, () => {
      for (const entry of this.optionEntries(OneofOptionsSchema, o.options)) this.line(`option ${entry};`);
      for (const f of fields) this.field(f, parent, true);
    });
  }

  private field(f: FieldDescriptorProto, parent: DescriptorProto | undefined, inOneof = false): void {
    const mapEntry = parent ? this.mapEntryOf(parent, f) : undefined;
    let label = "";
    if (mapEntry || inOneof) {
      label = "";
    } else if (f.label === Label.REPEATED) {
      label = "repeated ";
    } else if (f.label === Label.REQUIRED) {
      label = "required ";
    } else if (this.syntax === "proto2" || f.proto3Optional) {
      label = "optional ";
    }
    let type = this.typeName(f);
    if (mapEntry) {
      const [key, value] = mapEntry.field as [FieldDescriptorProto, FieldDescriptorProto];
      type = `map<${this.typeName(key)}, ${this.typeName(value)}>`;
    }
    const opts: string[] = [];
    if (isFieldSet(f, FieldDescriptorProtoSchema.field.defaultValue))
      opts.push(`default = ${formatDefault(f)}`);
    if (isFieldSet(f, FieldDescriptorProtoSchema.field.jsonName) && f.jsonName !== protoCamelCase(f.name))
      opts.push(`json_name = ${quote(f.jsonName)}`);
    opts.push(...this.optionEntries(FieldOptionsSchema, f.options));
    this.line(`${label}${type} ${f.name} = ${f.number}${bracket(opts)};`);
  }

  private typeName(f: FieldDescriptorProto): string {
    switch (f.type) {
      case Type.GROUP:
        throw new Error(`${f.name}: groups are not supported`);
      case Type.MESSAGE:
      case Type.ENUM:
        return f.typeName;
      default:
        return Type[f.type].toLowerCase();
    }
  }

  /** The synthesized map entry message of a map field, if f is one. */
  private mapEntryOf(parent: DescriptorProto, f: FieldDescriptorProto): DescriptorProto | undefined {
    if (f.type !== Type.MESSAGE || f.label !== Label.REPEATED) return undefined;
    const entry = parent.nestedType.find((n) => `${this.scopeOf(parent)}.${n.name}` === f.typeName);
    return entry?.options?.mapEntry ? entry : undefined;
  }

  /** Fully qualified name (with leading dot) of a message in this file. */
  private scopeOf(m: DescriptorProto): string {
    const path = findMessagePath(this.file.messageType, m);
    if (!path) throw new Error(`message ${m.name} not found in ${this.file.name}`);
    return [this.file.package ? `.${this.file.package}` : "", ...path].join(".");
  }

  private extendBlock(extensions: FieldDescriptorProto[]): void {
    this.block(`extend ${extensions[0]?.extendee}`, () => {
      for (const f of extensions) this.field(f, undefined);
    });
  }

  private enumeration(e: EnumDescriptorProto): void {
    this.block(`enum ${e.name}`, () => {
      for (const entry of this.optionEntries(EnumOptionsSchema, e.options)) this.line(`option ${entry};`);
      for (const v of e.value) {
        this.line(
          `${v.name} = ${v.number}${bracket(this.optionEntries(EnumValueOptionsSchema, v.options))};`,
        );
      }
      // Enum reserved ranges are inclusive, unlike message reserved ranges.
      this.reserved(
        e.reservedRange.map((r) => formatRange(r.start, r.end, MAX_ENUM_NUMBER)),
        e.reservedName,
      );
    });
  }

  private reserved(ranges: string[], names: string[]): void {
    if (ranges.length > 0) this.line(`reserved ${ranges.join(", ")};`);
    if (names.length > 0) this.line(`reserved ${names.map(quote).join(", ")};`);
  }

  private service(s: ServiceDescriptorProto): void {
    this.block(`service ${s.name}`, () => {
      for (const entry of this.optionEntries(ServiceOptionsSchema, s.options)) this.line(`option ${entry};`);
      for (const m of s.method) {
        const input = `${m.clientStreaming ? "stream " : ""}${m.inputType}`;
        const output = `${m.serverStreaming ? "stream " : ""}${m.outputType}`;
        const signature = `rpc ${m.name}(${input}) returns (${output})`;
        const opts = this.optionEntries(MethodOptionsSchema, m.options);
        if (opts.length === 0) {
          this.line(`${signature};`);
        } else {
          this.block(signature, () => {
            for (const entry of opts) this.line(`option ${entry};`);
          });
        }
      }
    });
  }

  // --- options --------------------------------------------------------------------------------------------

  /**
   * Options set on an *Options message as `name = value` entries: built-in options by name, custom options
   * (extensions, which the descriptor holds as unknown fields) as `(full.name) = value`.
   */
  private optionEntries(schema: DescMessage, options: Message | undefined): string[] {
    if (options === undefined) return [];
    const r = reflect(schema, options);
    const entries: string[] = [];
    for (const f of r.sortedFields) {
      if (!r.isSet(f)) continue;
      if (f.name === "uninterpreted_option" || f.name === "features") {
        throw new Error(`${schema.typeName}.${f.name} is not supported`);
      }
      for (const value of this.literals(f, r.get(f))) entries.push(`${f.name} = ${value}`);
    }
    for (const ext of this.extensionsSet(r)) {
      for (const value of this.literals(ext, getExtension(r.message, ext)))
        entries.push(`(${ext.typeName}) = ${value}`);
    }
    return entries;
  }

  /** Extensions set on a message (held as unknown fields), resolved through the registry. */
  private extensionsSet(r: ReflectMessage): DescExtension[] {
    const numbers = [...new Set((r.getUnknown() ?? []).map((u) => u.no))];
    return numbers.map((no) => {
      const ext = this.registry?.getExtensionFor(r.desc, no);
      if (!ext)
        throw new Error(`${r.desc.typeName}: field ${no} is set but no extension for it is in the registry`);
      return ext;
    });
  }

  /** Text-format literals of a field value: one per element for repeated fields. */
  private literals(f: DescField | DescExtension, value: unknown): string[] {
    switch (f.fieldKind) {
      case "scalar":
        return [formatScalar(f.scalar, value)];
      case "enum":
        return [enumValueName(f.enum, value as number)];
      case "message":
        return [this.messageLiteral(f.message, value)];
      case "list":
        return [...(value as Iterable<unknown>)].map((v) =>
          f.listKind === "scalar"
            ? formatScalar(f.scalar, v)
            : f.listKind === "enum"
              ? enumValueName(f.enum, v as number)
              : this.messageLiteral(f.message, v),
        );
      case "map":
        throw new Error(`${f.toString()}: map values in options are not supported`);
    }
  }

  /** A message value in text format, e.g. `{\n  id: "x"\n}`. */
  private messageLiteral(desc: DescMessage, value: unknown): string {
    const r = isReflectMessage(value) ? value : reflect(desc, value as Message);
    if (r.desc.fields.some((f) => f.fieldKind === "message" && f.delimitedEncoding)) {
      throw new Error(`${r.desc.typeName}: group fields in option values are not supported`);
    }
    const body: string[] = [];
    for (const f of r.fields) {
      if (!r.isSet(f)) continue;
      for (const value of this.literals(f, r.get(f))) body.push(`${f.name}: ${value}`);
    }
    for (const ext of this.extensionsSet(r)) {
      for (const value of this.literals(ext, getExtension(r.message, ext)))
        body.push(`[${ext.typeName}]: ${value}`);
    }
    if (body.length === 0) return "{}";
    return `{\n${body.map((b) => indent(b)).join("\n")}\n}`;
  }
}

// --- helpers ----------------------------------------------------------------------------------------------

/** The index of the oneof f belongs to, unless it is unset or a synthetic oneof of a proto3 `optional` field. */
function realOneofIndex(f: FieldDescriptorProto): number | undefined {
  return isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) && !f.proto3Optional
    ? f.oneofIndex
    : undefined;
}

function groupByExtendee(extensions: FieldDescriptorProto[]): FieldDescriptorProto[][] {
  const groups: FieldDescriptorProto[][] = [];
  for (const ext of extensions) {
    const last = groups.at(-1);
    if (last?.[0]?.extendee === ext.extendee) last.push(ext);
    else groups.push([ext]);
  }
  return groups;
}

function findMessagePath(messages: DescriptorProto[], target: DescriptorProto): string[] | undefined {
  for (const m of messages) {
    if (m === target) return [m.name];
    const inner = findMessagePath(m.nestedType, target);
    if (inner) return [m.name, ...inner];
  }
  return undefined;
}

function formatRange(start: number, endInclusive: number, max: number): string {
  if (start === endInclusive) return String(start);
  return `${start} to ${endInclusive === max ? "max" : endInclusive}`;
}

function bracket(entries: string[]): string {
  return entries.length === 0 ? "" : ` [${entries.join(", ")}]`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
}

/** FieldDescriptorProto.default_value is stored pre-formatted; only strings and bytes need quotes. */
function formatDefault(f: FieldDescriptorProto): string {
  const value = f.defaultValue;
  switch (f.type) {
    case Type.STRING:
      return quote(value);
    case Type.BYTES:
      return `"${value}"`; // already C-escaped by the compiler
    default:
      return value;
  }
}

function enumValueName(desc: { values: readonly { number: number; name: string }[] }, n: number): string {
  return desc.values.find((v) => v.number === n)?.name ?? String(n);
}

function formatScalar(type: ScalarType, value: unknown): string {
  switch (type) {
    case ScalarType.STRING:
      return quote(value as string);
    case ScalarType.BYTES:
      return quoteBytes(value as Uint8Array);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const n = value as number;
      if (Number.isNaN(n)) return "nan";
      if (n === Number.POSITIVE_INFINITY) return "inf";
      if (n === Number.NEGATIVE_INFINITY) return "-inf";
      return Object.is(n, -0) ? "-0" : String(n);
    }
    default:
      return String(value); // bool, 32-bit and 64-bit (bigint or string) integers
  }
}

/** A string literal: printable ASCII and non-ASCII characters as is, everything else escaped. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += octal(c);
    else out += ch;
  }
  return `${out}"`;
}

function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += octal(b);
  }
  return `${out}"`;
}

function octal(byte: number): string {
  return `\\${byte.toString(8).padStart(3, "0")}`;
}
