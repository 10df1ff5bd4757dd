import test from "ava";
import { Attempt } from "../src/lib/attempt.js";

const counter = () => {
  let n = 0;
  return () => `key-${++n}`;
};

test("resending the same request after an unknown outcome is the same attempt", (t) => {
  const attempt = new Attempt(counter());
  const request = JSON.stringify({ tier: 2, card: "tok_card_4242" });
  t.is(attempt.keyFor(request), "key-1");
  t.is(attempt.keyFor(request), "key-1");
});

test("a definitive answer ends the attempt: the next send has a new key, even for the same request", (t) => {
  const attempt = new Attempt(counter());
  const declined = JSON.stringify({ tier: 2, card: "tok_decline_0002" });
  t.is(attempt.keyFor(declined), "key-1");
  attempt.answered();
  t.is(attempt.keyFor(declined), "key-2");
});

test("a changed request is a new attempt", (t) => {
  const attempt = new Attempt(counter());
  t.is(attempt.keyFor(JSON.stringify({ tier: 2, card: "tok_decline_0002" })), "key-1");
  t.is(attempt.keyFor(JSON.stringify({ tier: 2, card: "tok_card_4242" })), "key-2");
  t.is(attempt.keyFor(JSON.stringify({ tier: 2, card: "tok_card_4242" })), "key-2");
});

test("keys are random UUIDs by default", (t) => {
  const a = new Attempt().keyFor("x");
  const b = new Attempt().keyFor("x");
  t.regex(a, /^[0-9a-f-]{36}$/);
  t.not(a, b);
});
