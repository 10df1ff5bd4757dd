import {
  type DescEnum,
  type DescField,
  type DescMessage,
  getOption,
  hasOption,
  isFieldSet,
  type Message,
} from "@bufbuild/protobuf";
import {
  type FieldRules,
  FieldRulesSchema,
  field as fieldRulesExt,
  message as messageRulesExt,
  oneof as oneofRulesExt,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { RE2JS } from "@bufbuild/re2";

/**
 * True only for a message that protovalidate's rules accept; false says
 * nothing (protovalidate then decides, and words the violations).
 */
export type Accept = (message: Message) => boolean;

type Check = (value: unknown) => boolean;

/** What a typed rule needs to know of its field: a field, or one item of a list field. */
type FieldShape =
  | { fieldKind: "scalar" | "message" | "map" }
  | { fieldKind: "enum"; enum: DescEnum }
  | { fieldKind: "list"; listKind: "scalar" }
  | { fieldKind: "list"; listKind: "enum"; enum: DescEnum }
  | { fieldKind: "list"; listKind: "message"; message: DescMessage };

/** protovalidate's own pattern for string.uuid. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAX_DURATION_SECONDS = 315_576_000_000n;
const NUMERIC = new Set([
  "float",
  "double",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
]);

/** Each message type's check once built: null when it has no rules, undefined when it cannot be checked here. */
const compiled = new WeakMap<DescMessage, { check: Check | null | undefined }>();

/**
 * A plain-JavaScript check of a message type's validation rules, for the rules
 * the platform's contracts use on hot paths (string uuid and lengths, numeric
 * and duration bounds, enum membership, required messages, repeated counts,
 * nested messages). protovalidate evaluates some of these through CEL (every
 * duration rule) and walks each message by reflection: ~15 µs per heartbeat
 * reading here (measured). The check is deliberately partial: any rule it
 * does not know (a pattern, a CEL expression, a message or oneof rule, an
 * exclusive range...) makes the type undefined here, and a value it is unsure
 * of (NaN, an out-of-range duration) fails it, so protovalidate stays the
 * judge of everything but what this accepts.
 */
export function quickAccept(desc: DescMessage): Accept | undefined {
  const check = messageCheck(desc, new Set());
  if (check === undefined) return undefined;
  return check === null ? () => true : (message) => check(message);
}

/** The check of a message type, null when it has no rules at all, undefined when it cannot be checked here. */
function messageCheck(desc: DescMessage, open: Set<DescMessage>): Check | null | undefined {
  const known = compiled.get(desc);
  if (known !== undefined) return known.check;
  // A recursive type: not checked here (every type on the cycle ends up undefined).
  if (open.has(desc)) return undefined;
  open.add(desc);
  const check = buildMessageCheck(desc, open);
  open.delete(desc);
  compiled.set(desc, { check });
  return check;
}

function buildMessageCheck(desc: DescMessage, open: Set<DescMessage>): Check | null | undefined {
  if (hasOption(desc, messageRulesExt)) return undefined;
  if (desc.oneofs.some((o) => hasOption(o, oneofRulesExt))) return undefined;
  const checks: Array<[string, Check]> = [];
  for (const field of desc.fields) {
    const check = fieldCheck(field, open);
    if (check === undefined) return undefined;
    if (check === null) continue;
    // A field of a oneof keeps its value under the oneof's name; not needed by any contract yet.
    if (field.oneof !== undefined) return undefined;
    checks.push([field.localName, check]);
  }
  if (checks.length === 0) return null;
  return (m) => {
    const message = m as Record<string, unknown>;
    for (const [name, check] of checks) if (!check(message[name])) return false;
    return true;
  };
}

/** The names of the fields set in a rules message (an unknown extension counts as one nobody knows). */
function setFields(rules: Message, schema: DescMessage): Set<string> | undefined {
  if (rules.$unknown !== undefined && rules.$unknown.length > 0) return undefined;
  return new Set(schema.fields.filter((f) => isFieldSet(rules, f)).map((f) => f.name));
}

const only = (set: Set<string>, allowed: readonly string[]) => [...set].every((n) => allowed.includes(n));

/** A rules message's value for one of its fields, by proto name (oneof members included). */
function ruleValue(rules: Message, schema: DescMessage, name: string): unknown {
  const f = schema.fields.find((x) => x.name === name) as DescField;
  const r = rules as unknown as Record<string, { case?: string; value?: unknown } | unknown>;
  if (f.oneof === undefined) return r[f.localName];
  const o = r[f.oneof.localName] as { case?: string; value?: unknown };
  return o.case === f.localName ? o.value : undefined;
}

function fieldCheck(field: DescField, open: Set<DescMessage>): Check | null | undefined {
  const nested = (d: DescMessage) => messageCheck(d, open);
  if (!hasOption(field, fieldRulesExt)) {
    switch (field.fieldKind) {
      case "scalar":
      case "enum":
        return null;
      case "message": {
        const inner = nested(field.message);
        if (inner === undefined || inner === null) return inner;
        return (v) => v === undefined || inner(v);
      }
      case "list": {
        if (field.listKind !== "message") return null;
        const inner = nested(field.message);
        if (inner === undefined || inner === null) return inner;
        return (v) => Array.isArray(v) && v.every(inner);
      }
      case "map":
        if (field.mapKind !== "message") return null;
        return nested(field.message) === null ? null : undefined;
    }
  }
  const rules = getOption(field, fieldRulesExt);
  const top = setFields(rules, FieldRulesSchema);
  // ignore only ever skips rules: checking them anyway is stricter, never looser.
  if (
    top === undefined ||
    !only(top, ["required", "ignore", "string", "enum", "repeated", "duration", ...NUMERIC])
  )
    return undefined;
  const checks: Check[] = [];
  if (rules.required) {
    if (field.fieldKind !== "message") return undefined;
    checks.push((v) => v !== undefined);
  }
  if (rules.type.case !== undefined) {
    const typed = typedCheck(field, rules.type, nested);
    if (typed === undefined) return undefined;
    checks.push(typed);
  } else if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")) {
    // Rules of the field itself (required) and, as without any, the nested message's own.
    const inner = nested(field.message);
    if (inner === undefined) return undefined;
    if (inner !== null)
      checks.push(
        field.fieldKind === "list"
          ? (v) => Array.isArray(v) && v.every(inner)
          : (v) => v === undefined || inner(v),
      );
  }
  if (checks.length === 0) return null;
  return checks.length === 1 ? (checks[0] as Check) : (v) => checks.every((c) => c(v));
}

function typedCheck(
  field: FieldShape,
  type: Exclude<FieldRules["type"], { case: undefined }>,
  nested: (d: DescMessage) => Check | null | undefined,
): Check | undefined {
  const rules = type.value as Message;
  const schema = FieldRulesSchema.field[type.case]?.message;
  if (schema === undefined) return undefined;
  const set = setFields(rules, schema);
  if (set === undefined) return undefined;
  const value = (name: string) => ruleValue(rules, schema, name);
  switch (type.case) {
    case "string": {
      if (field.fieldKind !== "scalar" || !only(set, ["uuid", "min_len", "max_len", "pattern"]))
        return undefined;
      const uuid = set.has("uuid") && value("uuid") === true;
      const min = set.has("min_len") ? Number(value("min_len")) : undefined;
      const max = set.has("max_len") ? Number(value("max_len")) : undefined;
      const pattern = set.has("pattern") ? re2(String(value("pattern"))) : null;
      if (pattern === undefined) return undefined;
      return (v) =>
        typeof v === "string" &&
        (!uuid || UUID.test(v)) &&
        (pattern === null || pattern.test(v)) &&
        // UTF-16 units are never fewer than characters: a length within max_len is.
        (max === undefined || v.length <= max) &&
        (min === undefined || codePoints(v) >= min);
    }
    case "enum": {
      if (field.fieldKind !== "enum" || !only(set, ["defined_only", "in", "not_in"])) return undefined;
      const defined = set.has("defined_only") && value("defined_only") === true;
      const numbers = new Set(field.enum.values.map((e) => e.number));
      const allowed = set.has("in") ? new Set(value("in") as number[]) : undefined;
      const refused = new Set(set.has("not_in") ? (value("not_in") as number[]) : []);
      return (v) =>
        typeof v === "number" &&
        (!defined || numbers.has(v)) &&
        (allowed === undefined || allowed.has(v)) &&
        !refused.has(v);
    }
    case "repeated": {
      if (field.fieldKind !== "list" || !only(set, ["min_items", "max_items", "items"])) return undefined;
      const min = set.has("min_items") ? Number(value("min_items")) : 0;
      const max = set.has("max_items") ? Number(value("max_items")) : Number.POSITIVE_INFINITY;
      let item: Check | null | undefined = null;
      if (field.listKind === "message") item = nested(field.message);
      if (set.has("items")) {
        // Rules for each item of a list of strings, numbers or enums (a message list's are not needed yet).
        if (field.listKind === "message") return undefined;
        const rules = value("items") as FieldRules;
        const top = setFields(rules, FieldRulesSchema);
        if (top === undefined || rules.type.case === undefined || !only(top, [rules.type.case]))
          return undefined;
        const shape: FieldShape =
          field.listKind === "enum" ? { fieldKind: "enum", enum: field.enum } : { fieldKind: "scalar" };
        item = typedCheck(shape, rules.type, nested);
      }
      if (item === undefined) return undefined;
      const each = item;
      return (v) =>
        Array.isArray(v) && v.length >= min && v.length <= max && (each === null || v.every(each));
    }
    case "duration": {
      if (field.fieldKind !== "message" || !only(set, ["gt", "gte", "lt", "lte"])) return undefined;
      const bound = (name: string) => {
        const d = value(name) as { seconds: bigint; nanos: number } | undefined;
        return d === undefined ? undefined : d.seconds * 1_000_000_000n + BigInt(d.nanos);
      };
      const within = rangeCheck(bound("gt"), bound("gte"), bound("lt"), bound("lte"));
      if (within === undefined) return undefined;
      return (v) => {
        // An unset Duration has no length to bound (protovalidate skips it); `required` is its own check.
        if (v === undefined) return true;
        const ns = durationNanos(v);
        return ns !== undefined && within(ns);
      };
    }
    default: {
      if (!NUMERIC.has(type.case) || field.fieldKind !== "scalar") return undefined;
      if (!only(set, ["gt", "gte", "lt", "lte", "finite"])) return undefined;
      const floating = type.case === "float" || type.case === "double";
      const within = rangeCheck(value("gt"), value("gte"), value("lt"), value("lte"));
      if (within === undefined) return undefined;
      return (v) =>
        (floating
          ? typeof v === "number" && Number.isFinite(v)
          : typeof v === "number" || typeof v === "bigint") && within(v as number | bigint);
    }
  }
}

/**
 * Bounds as protovalidate reads them when they form a plain range (gt/gte
 * below lt/lte, or one side only); undefined for the exclusive ranges a
 * lower bound above the upper one means, which this does not handle.
 */
function rangeCheck(
  gt: unknown,
  gte: unknown,
  lt: unknown,
  lte: unknown,
): ((v: number | bigint) => boolean) | undefined {
  const low = (gt ?? gte) as number | bigint | undefined;
  const high = (lt ?? lte) as number | bigint | undefined;
  if (low !== undefined && high !== undefined && low > high) return undefined;
  return (v) =>
    typeof v === typeof (low ?? high ?? v) &&
    (gt === undefined || v > (gt as number | bigint)) &&
    (gte === undefined || v >= (gte as number | bigint)) &&
    (lt === undefined || v < (lt as number | bigint)) &&
    (lte === undefined || v <= (lte as number | bigint));
}

/** A set Duration's length in nanoseconds, or undefined when unset or not a valid Duration. */
function durationNanos(v: unknown): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  const { seconds, nanos } = v as { seconds: unknown; nanos: unknown };
  if (typeof seconds !== "bigint" || typeof nanos !== "number" || !Number.isInteger(nanos)) return undefined;
  if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS) return undefined;
  if (nanos <= -1_000_000_000 || nanos >= 1_000_000_000) return undefined;
  if ((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) return undefined;
  return seconds * 1_000_000_000n + BigInt(nanos);
}

/**
 * A string.pattern compiled by the engine protovalidate matches it with (RE2,
 * a partial match), so the quick check agrees with it on every input;
 * undefined for a pattern that engine refuses (protovalidate then reports it).
 */
function re2(pattern: string): { test(v: string): boolean } | undefined {
  try {
    const re = RE2JS.compile(pattern);
    return { test: (v) => re.test(v) };
  } catch {
    return undefined;
  }
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
