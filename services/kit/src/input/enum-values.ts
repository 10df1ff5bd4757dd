import type { DescEnum, DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { type ReflectMessage, reflect } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError } from "@connectrpc/connect";

const holding = new WeakMap<DescMessage, boolean>();

const isEnumField = (f: DescField) =>
  f.fieldKind === "enum" ||
  (f.fieldKind === "list" && f.listKind === "enum") ||
  (f.fieldKind === "map" && f.mapKind === "enum");

const messageOf = (f: DescField): DescMessage | undefined =>
  f.fieldKind === "message" ||
  (f.fieldKind === "list" && f.listKind === "message") ||
  (f.fieldKind === "map" && f.mapKind === "message")
    ? f.message
    : undefined;

/** Whether a message of this type can hold an enum value anywhere inside it (recursive types included). */
export function holdsEnums(desc: DescMessage): boolean {
  let known = holding.get(desc);
  if (known === undefined) {
    const seen = new Set([desc]);
    known = false;
    for (const type of seen) {
      if (type.fields.some(isEnumField)) {
        known = true;
        break;
      }
      for (const field of type.fields) {
        const inner = messageOf(field);
        if (inner !== undefined) seen.add(inner);
      }
    }
    holding.set(desc, known);
  }
  return known;
}

/** "unknown value MATURITY_RATING_KIDZ of marquee.common.v1.MaturityRating", the value shown safely. */
export function unknownEnumValue(desc: DescEnum, value: string | number): string {
  const shown =
    typeof value === "number" || /^[\w.-]{1,64}$/.test(value)
      ? String(value)
      : JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  return `unknown value ${shown} of ${desc.typeName}`;
}

/** InvalidArgument for a request with enum values its contract does not define, each named. */
export function unknownEnumsError(desc: DescMessage, problems: string[]): ConnectError {
  return new ConnectError(`invalid ${desc.name}: ${problems.join("; ")}`, Code.InvalidArgument);
}

/**
 * Every enum field of the message (nested, repeated and map values included)
 * that holds a number its enum does not define, as "path: unknown value N of
 * Enum". Open enums keep such numbers when decoding, so without this check a
 * typo or a value from a newer contract reaches handlers as if it meant
 * something (an unknown maturity cap reads as none).
 */
export function undefinedEnumValues(desc: DescMessage, message: Message): string[] {
  const found: string[] = [];
  if (holdsEnums(desc)) walk(reflect(desc, message, false), "", found);
  return found;
}

function walk(message: ReflectMessage, prefix: string, found: string[]): void {
  const check = (desc: DescEnum, value: number, path: string) => {
    if (!desc.values.some((v) => v.number === value)) found.push(`${path}: ${unknownEnumValue(desc, value)}`);
  };
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const path = prefix + field.name;
    switch (field.fieldKind) {
      case "enum":
        check(field.enum, message.get(field), path);
        break;
      case "message":
        if (holdsEnums(field.message)) walk(message.get(field), `${path}.`, found);
        break;
      case "list":
        for (const [i, item] of message.get(field).entries()) {
          if (field.listKind === "enum") check(field.enum, item as number, `${path}[${i}]`);
          else if (field.listKind === "message" && holdsEnums(field.message))
            walk(item as ReflectMessage, `${path}[${i}].`, found);
        }
        break;
      case "map":
        for (const [key, item] of message.get(field)) {
          const at = `${path}[${JSON.stringify(String(key))}]`;
          if (field.mapKind === "enum") check(field.enum, item as number, at);
          else if (field.mapKind === "message" && holdsEnums(field.message))
            walk(item as ReflectMessage, `${at}.`, found);
        }
        break;
    }
  }
}
