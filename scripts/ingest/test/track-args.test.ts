import path from "node:path";
import test from "ava";
import { parseAudioArg, parseTextArg } from "../track-args.js";

test("--audio takes a file's first or chosen audio stream, or one of the source's own", (t) => {
  t.deepEqual(parseAudioArg("fr=dub.m4a"), {
    file: path.resolve("dub.m4a"),
    stream: 0,
    language: "fr",
    role: "dub",
  });
  t.deepEqual(parseAudioArg("de=dubs.mka#2"), {
    file: path.resolve("dubs.mka"),
    stream: 2,
    language: "de",
    role: "dub",
  });
  t.deepEqual(parseAudioArg("es=#1"), { stream: 1, language: "es", role: "dub" });
  t.throws(() => parseAudioArg("fr"), { message: /expected LANG=FILE/ });
  t.throws(() => parseAudioArg("fr="), { message: /expected LANG=FILE/ });
});

test("--text takes a language, a kind (subtitles unless told) and a file", (t) => {
  t.deepEqual(parseTextArg("en=a.vtt"), { file: path.resolve("a.vtt"), language: "en", kind: "subtitles" });
  t.deepEqual(parseTextArg("fr:captions=b.srt"), {
    file: path.resolve("b.srt"),
    language: "fr",
    kind: "captions",
  });
  t.throws(() => parseTextArg("fr:loud=b.srt"), { message: /KIND one of subtitles, captions, forced/ });
  t.throws(() => parseTextArg("b.srt"), { message: /expected LANG=FILE/ });
});
