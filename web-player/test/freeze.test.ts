import { readFileSync } from "node:fs";
import test from "ava";
import { detectFreezes, type FrameSample, FreezeDetector, mergeIntervals } from "../src/player/freeze.js";

/** Samples every 250 ms at 25 fps: `frames` advances by 6–7 per sample while the picture moves. */
function series(parts: { ms: number; moving: boolean; ahead: number; playing?: boolean }[]): FrameSample[] {
  const out: FrameSample[] = [];
  let t = 0;
  let frames = 0;
  for (const p of parts) {
    for (let at = 0; at < p.ms; at += 250) {
      if (p.moving) frames += 6;
      out.push({ t, frames, videoAheadSeconds: p.ahead, playing: p.playing ?? true });
      t += 250;
    }
  }
  return out;
}

test("the video buffer runs dry while audio plays on: one freeze, from the last moving frame to the next", (t) => {
  const samples = series([
    { ms: 3000, moving: true, ahead: 4 },
    { ms: 1500, moving: false, ahead: 0 },
    { ms: 2000, moving: true, ahead: 3 },
  ]);
  const freezes = detectFreezes(samples);
  t.is(freezes.length, 1);
  // Frames last moved at 2750 ms and moved again at 4500 ms.
  t.deepEqual(freezes[0], { start: 2750, end: 4500 });
});

test("frames still with buffer left count once they have been still for a second", (t) => {
  const short = series([
    { ms: 2000, moving: true, ahead: 5 },
    { ms: 750, moving: false, ahead: 5 },
    { ms: 1000, moving: true, ahead: 5 },
  ]);
  t.deepEqual(detectFreezes(short), [], "a decoder hiccup under a second is not a freeze");
  const long = series([
    { ms: 2000, moving: true, ahead: 5 },
    { ms: 1500, moving: false, ahead: 5 },
    { ms: 1000, moving: true, ahead: 5 },
  ]);
  t.is(detectFreezes(long).length, 1);
});

test("pause, seek and end are not freezes, and stillness is counted afresh after them", (t) => {
  const samples = series([
    { ms: 2000, moving: true, ahead: 5 },
    { ms: 5000, moving: false, ahead: 0, playing: false },
    { ms: 250, moving: false, ahead: 0 },
    { ms: 2000, moving: true, ahead: 5 },
  ]);
  t.deepEqual(detectFreezes(samples), []);
});

test("one still sample (a late frame) is not counted; a freeze still under way at the end is", (t) => {
  const blip = series([
    { ms: 1000, moving: true, ahead: 0.05 },
    { ms: 250, moving: false, ahead: 0 },
  ]).concat(
    series([{ ms: 1000, moving: true, ahead: 3 }]).map((s) => ({
      ...s,
      t: s.t + 1250,
      frames: s.frames + 24,
    })),
  );
  t.deepEqual(detectFreezes(blip), []);
  const open = series([
    { ms: 1000, moving: true, ahead: 3 },
    { ms: 2000, moving: false, ahead: 0 },
  ]);
  t.deepEqual(detectFreezes(open), [{ start: 750, end: 2750 }]);
});

test("the live detector reports a freeze while it lasts and when it ends", (t) => {
  const d = new FreezeDetector();
  const samples = series([
    { ms: 1000, moving: true, ahead: 2 },
    { ms: 1000, moving: false, ahead: 0 },
    { ms: 500, moving: true, ahead: 2 },
  ]);
  const seen: string[] = [];
  for (const s of samples) {
    const ended = d.push(s);
    if (d.current && !seen.includes("start")) seen.push("start");
    if (ended) seen.push(`end ${(ended.end ?? 0) - ended.start}`);
  }
  t.deepEqual(seen, ["start", "end 1250"]);
});

test("a stall and a freeze at once are one rebuffer", (t) => {
  const merged = mergeIntervals(
    [
      { start: 1000, end: 2000 },
      { start: 1500, end: 2500 },
      { start: 4000, end: undefined },
    ],
    5000,
  );
  t.deepEqual(merged, [
    { start: 1000, end: 2500 },
    { start: 4000, end: 5000 },
  ]);
});

test("recorded: the video buffer ran dry three times after a sharp drop, with no stall event — three freezes", (t) => {
  const record = JSON.parse(
    readFileSync(new URL("./fixtures/freeze-sharp-drop.json", import.meta.url), "utf8"),
  ) as {
    stalls: unknown[];
    samples: { t: number; frames: number; videoAhead: number; playing: boolean }[];
  };
  t.deepEqual(record.stalls, [], "the media element said nothing");
  const freezes = detectFreezes(
    record.samples.map((s) => ({
      t: s.t,
      frames: s.frames,
      videoAheadSeconds: s.videoAhead,
      playing: s.playing,
    })),
  );
  const seconds = freezes.map((f) => Math.round(((f.end ?? 0) - f.start) / 100) / 10);
  t.deepEqual(seconds, [2.3, 1.8, 0.8]);
  // Each began where the video buffer ran out.
  for (const f of freezes) {
    const during = record.samples.filter((s) => s.t > f.start && s.t < (f.end ?? 0));
    t.true(
      during.some((s) => s.videoAhead < 0.1),
      `buffer dry during the freeze at ${f.start}`,
    );
  }
});
