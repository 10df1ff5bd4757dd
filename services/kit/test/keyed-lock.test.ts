import { KeyedLock, LockTimeoutError } from "@marquee/kit";
import test from "ava";
import { gate, settle } from "./gates.js";

test("work on one key runs one at a time in order; other keys do not wait", async (t) => {
  const lock = new KeyedLock();
  const holdA = gate();
  const log: string[] = [];
  const a1 = lock.run("a", async () => {
    log.push("a1 start");
    await holdA.opened;
    log.push("a1 end");
  });
  const a2 = lock.run("a", async () => {
    log.push("a2");
  });
  // "b" runs to the end while "a" is held.
  await lock.run("b", async () => {
    log.push("b");
  });
  t.deepEqual(log, ["a1 start", "b"]);
  holdA.open();
  await Promise.all([a1, a2]);
  t.deepEqual(log, ["a1 start", "b", "a1 end", "a2"]);
});

test("a failure frees the key for the next holder and reaches only its caller", async (t) => {
  const lock = new KeyedLock();
  const failed = lock.run("title", async () => {
    throw new Error("conflict");
  });
  const next = lock.run("title", async () => "saved");
  await t.throwsAsync(failed, { message: "conflict" });
  t.is(await next, "saved");
});

test("acquire holds the key until released; a second release does nothing", async (t) => {
  const lock = new KeyedLock();
  const release = await lock.acquire("member");
  let ran = false;
  const waiting = lock.run("member", async () => {
    ran = true;
  });
  await settle();
  t.false(ran, "held keys make work wait");
  release();
  await waiting;
  t.true(ran);
  release();
  const again = await lock.acquire("member", 1_000);
  again();
});

test("a waiter that gives up gets LockTimeoutError and passes its place on", async (t) => {
  const lock = new KeyedLock();
  const release = await lock.acquire("member");
  const impatient = lock.acquire("member", 20);
  const patient = lock.acquire("member");
  const error = await t.throwsAsync(impatient, { instanceOf: LockTimeoutError });
  t.regex(error.message, /member stayed busy for 20 ms/);
  release();
  const next = await patient;
  // The patient waiter holds the key alone: work waits for it.
  let ran = false;
  const after = lock.run("member", async () => {
    ran = true;
  });
  await settle();
  t.false(ran);
  next();
  await after;
  t.true(ran);
});

test("idle waits for the work on every key, also work started while it waits", async (t) => {
  const lock = new KeyedLock();
  const hold = gate();
  const done: string[] = [];
  void lock.run("a", async () => {
    await hold.opened;
    done.push("a");
    void lock.run("b", async () => {
      done.push("b, started meanwhile");
    });
  });
  const idle = lock.idle().then(() => [...done]);
  hold.open();
  t.deepEqual(await idle, ["a", "b, started meanwhile"]);
});
