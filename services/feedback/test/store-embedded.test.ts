import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import type { FeedbackStore } from "../src/store.js";
import { openEmbeddedFeedbackStore } from "../src/store-embedded.js";
import { feedbackStoreContract } from "./store-contract.js";

const dir = mkdtempSync(path.join(tmpdir(), "marquee-feedback-"));
let shared: Promise<FeedbackStore> | undefined;
test.after.always(async () => {
  if (shared) await (await shared).close();
  rmSync(dir, { recursive: true, force: true });
});

feedbackStoreContract(test, () => {
  shared ??= openEmbeddedFeedbackStore(path.join(dir, "store"));
  return shared;
});

test("ratings, counts and feedback survive a restart", async (t) => {
  const own = path.join(dir, "restart");
  const store = await openEmbeddedFeedbackStore(own);
  const [p, c] = ["5c1b0f8e-0000-4000-8000-000000000001", "5c1b0f8e-0000-4000-8000-000000000002"];
  await store.setRating(p, c, 3, new Date());
  await store.close();
  const reopened = await openEmbeddedFeedbackStore(own);
  t.teardown(() => reopened.close());
  t.like(await reopened.getRating(p, c), { value: 3 });
  t.deepEqual(await reopened.contentRatings(c), { thumbsDown: 0, thumbsUp: 0, doubleThumbsUp: 1 });
});
