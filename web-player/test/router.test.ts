import test from "ava";
import { compile, match } from "../src/lib/router.js";

test("routes match with decoded parameters and an optional trailing slash", (t) => {
  const title = compile("/title/:id");
  t.deepEqual(match(title, "/title/abc-123"), { id: "abc-123" });
  t.deepEqual(match(title, "/title/a%20b/"), { id: "a b" });
  t.is(match(title, "/title"), undefined);
  t.is(match(title, "/title/a/b"), undefined);
  t.deepEqual(match(compile("/"), "/"), {});
  t.is(match(compile("/search"), "/searching"), undefined);
});
