import test from "ava";
import { parseSubtitles, writeWebVtt } from "../src/ingest/cues.js";
import { syntheticCues } from "../src/ingest/synthetic-cues.js";

test("WebVTT cues keep their times, settings and lines; notes and styles are skipped", (t) => {
  const vtt =
    "\uFEFFWEBVTT - a title\r\n\r\nNOTE made by hand\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\n" +
    "intro\r\n00:01.000 --> 00:02.500 line:90%\r\nHello\r\nthere\r\n\r\n" +
    "01:00:00.000 --> 01:00:01.000\r\nAn hour in\r\n";
  const cues = parseSubtitles(vtt, "a.vtt");
  t.deepEqual(cues, [
    { startMs: 1_000, endMs: 2_500, settings: "line:90%", text: "Hello\nthere" },
    { startMs: 3_600_000, endMs: 3_601_000, settings: "", text: "An hour in" },
  ]);
  t.is(
    writeWebVtt(cues),
    "WEBVTT\n\n00:00:01.000 --> 00:00:02.500 line:90%\nHello\nthere\n\n01:00:00.000 --> 01:00:01.000\nAn hour in\n",
  );
  t.deepEqual(parseSubtitles(writeWebVtt(cues), "again.vtt"), cues, "what ingest writes reads back the same");
});

test("SRT converts to the same cues, numbered or not", (t) => {
  const srt = "1\n00:00:01,000 --> 00:00:02,500\nHello\nthere\n\n00:00:03,000 --> 00:00:04,000\nNo number\n";
  t.deepEqual(parseSubtitles(srt, "b.SRT"), [
    { startMs: 1_000, endMs: 2_500, settings: "", text: "Hello\nthere" },
    { startMs: 3_000, endMs: 4_000, settings: "", text: "No number" },
  ]);
  t.throws(() => parseSubtitles("one\n00:00:01,000 --> 00:00:02,000\nHi\n", "c.srt"), {
    message: /c\.srt line 1: expected a cue number or timing/,
  });
  t.throws(() => parseSubtitles("", "d.srt"), { message: /d\.srt: the file holds no cue/ });
});

test("synthetic cues say their language and start, every 2 s for 1.5 s, within the length", (t) => {
  const cues = syntheticCues("fr", 7);
  t.deepEqual(
    cues.map((c) => [c.startMs, c.endMs, c.text]),
    [
      [0, 1_500, "[fr] 0:00"],
      [2_000, 3_500, "[fr] 0:02"],
      [4_000, 5_500, "[fr] 0:04"],
    ],
  );
  t.is(syntheticCues("en", 126).at(-1)?.text, "[en] 2:04");
});
