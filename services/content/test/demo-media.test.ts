import anyTest, { type TestFn } from "ava";
import { demoMediaSuite } from "./demo-media-suite.js";
import { type ContentFixture, startFixture } from "./fixture.js";

const test = anyTest as TestFn<{ f: ContentFixture }>;
const SEED_SIZE = 200;

test.before(async (t) => {
  t.context.f = await startFixture({ seedSize: SEED_SIZE });
});
test.after.always(async (t) => {
  await t.context.f?.close();
});

demoMediaSuite(test, SEED_SIZE);
