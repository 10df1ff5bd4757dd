import { randomUUID } from "node:crypto";
import test from "ava";
import { type MediaGrant, MediaSigner } from "../src/signing.js";

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
