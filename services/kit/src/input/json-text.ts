import type { DescEnum, DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { holdsEnums, unknownEnumsError, unknownEnumValue } from "./enum-values.js";

/** Deeper than protobuf-es' own JSON recursion limit: it refuses such a body itself. */
const MAX_DEPTH = 100;

/**
 * The text decoder connect-es runs on a JSON request body just before
 * protobuf-es parses it (its one hook there). It refuses bytes that are not
 * UTF-8 (connect-es' default decoder would turn them into U+FFFD), text that is
 * not JSON, and enum names the contract does not define, naming the field:
 * protobuf-es names only the enum type, and by connect-es' default drops an
 * unknown name as if the field were unset.
 */
export function strictJsonText(desc: DescMessage): { decode(bytes?: Uint8Array): string } {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  return {
    decode(bytes) {
      let text: string;
      let json: unknown;
      try {
        text = utf8.decode(bytes);
      } catch {
        throw new ConnectError("malformed request: the JSON body is not valid UTF-8", Code.InvalidArgument);
      }
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new ConnectError(`malformed JSON: ${(err as Error).message}`, Code.InvalidArgument);
      }
      const problems: string[] = [];
      walk(desc, json, "", problems, 0);
      if (problems.length > 0) throw unknownEnumsError(desc, problems);
      return text;
    },
  };
}

function walk(desc: DescMessage, json: unknown, prefix: string, found: string[], depth: number): void {
  // Well-known types have JSON forms of their own (strings, any JSON) and no enum a client names.
  if (!isObject(json) || depth > MAX_DEPTH || desc.typeName.startsWith("google.protobuf.")) return;
  if (!holdsEnums(desc)) return;
  const check = (e: DescEnum, value: unknown, path: string) => {
    if (typeof value === "string" && !e.values.some((v) => v.name === value || v.jsonName === value))
      found.push(`${path}: ${unknownEnumValue(e, value)}`);
  };
  for (const [key, value] of Object.entries(json)) {
    const field = desc.fields.find((f) => f.jsonName === key || f.name === key);
    if (field === undefined) continue;
    const path = prefix + field.name;
    switch (field.fieldKind) {
      case "enum":
        check(field.enum, value, path);
        break;
      case "message":
        walk(field.message, value, `${path}.`, found, depth + 1);
        break;
      case "list":
        if (!Array.isArray(value)) break;
        value.forEach((item, i) => {
          if (field.listKind === "enum") check(field.enum, item, `${path}[${i}]`);
          else if (field.listKind === "message")
            walk(field.message, item, `${path}[${i}].`, found, depth + 1);
        });
        break;
      case "map":
        if (!isObject(value)) break;
        for (const [k, item] of Object.entries(value)) {
          const at = `${path}[${JSON.stringify(k)}]`;
          if (field.mapKind === "enum") check(field.enum, item, at);
          else if (field.mapKind === "message") walk(field.message, item, `${at}.`, found, depth + 1);
        }
        break;
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
