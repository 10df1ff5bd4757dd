import { SerialQueue } from "@marquee/kit";
import test from "ava";
import { gate, settle } from "./gates.js";

test("runs one piece at a time, in the order handed in", async (t) => {
  const queue = new SerialQueue();
  const gates = [gate(), gate(), gate()];
  const started: number[] = [];
  let inside = 0;
  let most = 0;
  const results = gates.map((g, i) =>
    queue.run(async () => {
      started.push(i);
      inside++;
      most = Math.max(most, inside);
      await g.opened;
      inside--;
      return i;
    }),
  );
  await settle();
  t.deepEqual(started, [0], "the second waits for the first");
  t.is(queue.size, 3);
  // Opened out of order, they still finish in order.
  gates[2]?.open();
  gates[1]?.open();
  gates[0]?.open();
  t.deepEqual(await Promise.all(results), [0, 1, 2]);
  t.deepEqual(started, [0, 1, 2]);
  t.is(most, 1);
  t.is(queue.size, 0);
});

test("a failing piece fails its caller only; the pieces behind it run", async (t) => {
  const queue = new SerialQueue();
  const failing = queue.run(async () => {
    throw new Error("disk full");
  });
  const throwing = queue.run(() => {
    throw new Error("thrown before any await");
  });
  const next = queue.run(async () => "written");
  await t.throwsAsync(failing, { message: "disk full" });
  await t.throwsAsync(throwing, { message: "thrown before any await" });
  t.is(await next, "written");
});

test("idle waits for every piece, also those handed in while it waits", async (t) => {
  const queue = new SerialQueue();
  const first = gate();
  const done: string[] = [];
  void queue.run(async () => {
    await first.opened;
    done.push("first");
    void queue.run(async () => {
      done.push("handed in meanwhile");
    });
  });
  const idle = queue.idle().then(() => [...done]);
  first.open();
  t.deepEqual(await idle, ["first", "handed in meanwhile"]);
  await queue.idle();
  t.is(queue.size, 0);
});
