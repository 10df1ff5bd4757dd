import test from "ava";
import { judgeProgress, monthOf, recentMonths } from "../src/history/rules.js";
import { parseDuration, parseProgressLine, VIDEO_LADDER } from "../src/ingest/ladder.js";
import { planHeightCap, positionProblem, trimLadder } from "../src/playback/rules.js";
import { uuidv7, uuidv7Time } from "../src/playback/session-id.js";

test("under 5% saves nothing, 90% and up completes", (t) => {
  t.deepEqual(judgeProgress(4_999, 100_000), { save: false });
  t.deepEqual(judgeProgress(5_000, 100_000), { save: true, completed: false });
  t.deepEqual(judgeProgress(89_999, 100_000), { save: true, completed: false });
  t.deepEqual(judgeProgress(90_000, 100_000), { save: true, completed: true });
  t.deepEqual(judgeProgress(10, 0), { save: false });
});

test("positions must be within the running time", (t) => {
  t.is(positionProblem(0, 1000), undefined);
  t.is(positionProblem(2_900, 1000), undefined);
  t.regex(positionProblem(3_100, 1000) ?? "", /past the title's duration/);
  t.regex(positionProblem(-1, 1000) ?? "", /negative/);
});

test("the plan's cap trims the ladder and never empties it", (t) => {
  t.is(planHeightCap(0, 2), 720);
  t.is(planHeightCap(480, 3), 480);
  t.is(planHeightCap(0, 4), 0);
  t.deepEqual(
    trimLadder(VIDEO_LADDER, 720).map((r) => r.id),
    ["240p", "360p", "480p", "720p"],
  );
  t.deepEqual(
    trimLadder(VIDEO_LADDER, 100).map((r) => r.id),
    ["240p"],
  );
  t.is(trimLadder(VIDEO_LADDER, 0).length, 5);
});

test("session ids carry their start time; months bucket in UTC", (t) => {
  const at = Date.UTC(2026, 0, 31, 23, 59);
  const id = uuidv7(at);
  t.regex(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(uuidv7Time(id), at);
  t.is(uuidv7Time("6f1c2d3e-0000-4000-8000-000000000000"), undefined);
  t.is(monthOf(at), 202601);
  t.deepEqual(recentMonths(at, 3), [202601, 202512, 202511]);
});

test("ffmpeg output parsing", (t) => {
  t.is(parseDuration("  Duration: 00:01:02.50, start: 0.000000"), 62_500);
  t.is(parseProgressLine("out_time_us=1500000"), 1500);
  t.is(parseProgressLine("out_time_ms=1500000"), 1500);
  t.is(parseProgressLine("frame=12"), undefined);
});
