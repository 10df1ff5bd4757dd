import { randomUUID } from "node:crypto";
import test from "ava";
import { type MediaGrant, MediaSigner } from "../src/playback/signing.js";

const OLD = "old-signing-secret-0123456789";
const NEW = "new-signing-secret-9876543210";
const now = Math.floor(Date.now() / 1000);
const grant: MediaGrant = {
  sessionId: randomUUID(),
  assetId: randomUUID(),
  expires: now + 600,
  maxHeight: 720,
};

test("a rotated secret keeps URLs signed with the previous one valid, and signs new ones with the new one", (t) => {
  const before = new MediaSigner(OLD).manifestPath(grant);
  const rotated = new MediaSigner(NEW, [OLD]);
  t.like(rotated.verify(before, now), { ok: true, file: "manifest.mpd" });
  const after = rotated.manifestPath(grant);
  t.not(after, before);
  t.like(new MediaSigner(NEW).verify(after, now), { ok: true }, "signed with the new secret alone");
  t.like(new MediaSigner(OLD).verify(after, now), { ok: false, status: 403, reason: "bad signature" });
});

test("once the previous secret is dropped, what it signed is refused", (t) => {
  const before = new MediaSigner(OLD).manifestPath(grant);
  t.like(new MediaSigner(NEW).verify(before, now), { ok: false, status: 403, reason: "bad signature" });
  t.like(new MediaSigner(NEW, [OLD]).verify(before, grant.expires), {
    ok: false,
    status: 403,
    reason: "signature expired",
  });
});

test("every secret must be long enough", (t) => {
  t.throws(() => new MediaSigner(NEW, ["short"]), { message: /at least 16 characters/ });
});

/** A valid token's parts, to respell one at a time. */
function tokenParts(signer: MediaSigner, g: MediaGrant) {
  const manifest = signer.manifestPath(g);
  const token = manifest.split("/")[3] as string;
  const [sessionId, expires, height, mac] = token.split(".") as [string, string, string, string];
  const path = (parts: { sessionId?: string; expires?: string; height?: string; mac?: string }) =>
    manifest.replace(
      token,
      [parts.sessionId ?? sessionId, parts.expires ?? expires, parts.height ?? height, parts.mac ?? mac].join(
        ".",
      ),
    );
  return { manifest, sessionId, expires, height, mac, path };
}

test("a token has one spelling: every other spelling of the same grant is refused as malformed", (t) => {
  const signer = new MediaSigner(NEW);
  const p = tokenParts(signer, grant);
  t.like(signer.verify(p.manifest, now), { ok: true }, "the spelling manifestPath writes");
  const respelled = {
    "expiry with an exponent": p.path({ expires: `${p.expires}e0` }),
    "expiry in hex": p.path({ expires: `0x${Number(p.expires).toString(16)}` }),
    "expiry with a leading zero": p.path({ expires: `0${p.expires}` }),
    "expiry with a plus sign": p.path({ expires: `+${p.expires}` }),
    "expiry in octal": p.path({ expires: `0o${Number(p.expires).toString(8)}` }),
    "cap in hex": p.path({ height: "0x2d0" }),
    "cap with an exponent": p.path({ height: "72e1" }),
    "cap with a leading zero": p.path({ height: "0720" }),
    "cap negative zero": p.path({ height: "-0" }),
    "empty cap": p.path({ height: "" }),
    "session id in capitals": p.path({ sessionId: p.sessionId.toUpperCase() }),
    "session id without dashes": p.path({ sessionId: p.sessionId.replaceAll("-", "").padEnd(36, "0") }),
    "signature with trailing junk": p.path({ mac: `${p.mac}x` }),
    "signature with base64 padding": p.path({ mac: `${p.mac}=` }),
    "signature with a standard-base64 character": p.path({ mac: `+${p.mac.slice(1)}` }),
    "signature cut short": p.path({ mac: p.mac.slice(0, -1) }),
    "signature with a fifth part": p.path({ mac: `${p.mac}.x` }),
  };
  for (const [form, path] of Object.entries(respelled)) {
    t.like(signer.verify(path, now), { ok: false, status: 403, reason: "malformed signature" }, form);
  }
});

test("a signature's last character is compared as written, not as the bytes it decodes to", (t) => {
  const signer = new MediaSigner(NEW);
  const p = tokenParts(signer, grant);
  // 43 base64url characters carry 258 bits for a 256-bit MAC: the last character's two low bits are
  // padding, so three other characters decode to the same bytes.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(p.mac.at(-1) as string);
  const twins = [1, 2, 3].map((bits) => `${p.mac.slice(0, -1)}${alphabet[last + bits]}`);
  for (const twin of twins) {
    t.deepEqual(Buffer.from(twin, "base64url"), Buffer.from(p.mac, "base64url"), "decodes the same");
    t.like(signer.verify(p.path({ mac: twin }), now), { ok: false, status: 403, reason: "bad signature" });
  }
});

test("signing refuses a grant it could not spell canonically", (t) => {
  const signer = new MediaSigner(NEW);
  t.throws(() => signer.manifestPath({ ...grant, expires: 1.5 }), { message: /non-negative integers/ });
  t.throws(() => signer.manifestPath({ ...grant, maxHeight: -1 }), { message: /non-negative integers/ });
  t.throws(() => signer.manifestPath({ ...grant, sessionId: grant.sessionId.toUpperCase() }));
});
