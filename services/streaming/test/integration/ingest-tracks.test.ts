/**
 * Ingest with audio languages and subtitle tracks: the MPD says each
 * language, role and codec, every file of every track is fetchable through
 * the media origin with the session's signed URL (trimmed manifest included),
 * and a bad track fails the ingest before anything is published.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import test from "ava";
import { resolveFfmpeg } from "../../src/ingest/ffmpeg.js";
import { makeSyntheticAudio, makeSyntheticSource } from "../../src/ingest/synthetic.js";
import { syntheticWebVtt } from "../../src/ingest/synthetic-cues.js";
import { INCOMING, readAsset, type TranscodeOptions, transcodeToAsset } from "../../src/ingest/transcode.js";
import { startOrigin } from "./origin-server.js";

const ffmpeg = resolveFfmpeg();
const work = mkdtempSync(path.join(tmpdir(), "marquee-tracks-"));
const mediaDir = path.join(work, "media");
const source = path.join(work, "clip.mp4");
const french = path.join(work, "fr.m4a");
const englishVtt = path.join(work, "en.vtt");
const frenchSrt = path.join(work, "fr.srt");
const SRT = `1
00:00:00,500 --> 00:00:02,000
Bonjour

2
00:00:03,000 --> 00:00:05,250
Deux lignes,
sous-titrées
`;

test.before(async () => {
  await makeSyntheticSource(ffmpeg, source, { seconds: 9, pattern: "testsrc2", toneHz: 440 });
  // Shorter than the video: ingest pads it with silence to the same length.
  await makeSyntheticAudio(ffmpeg, french, { seconds: 7, toneHz: 660 });
  writeFileSync(englishVtt, syntheticWebVtt("en", 9));
  writeFileSync(frenchSrt, SRT);
});
test.after.always(() => rmSync(work, { recursive: true, force: true }));

interface AdaptationSet {
  open: string;
  body: string;
  attr: (name: string) => string | undefined;
  role?: string;
}

function adaptationSets(mpd: string): AdaptationSet[] {
  return [...mpd.matchAll(/<AdaptationSet\b([^>]*)>([\s\S]*?)<\/AdaptationSet>/g)].map((m) => {
    const open = m[1] as string;
    return {
      open,
      body: m[2] as string,
      attr: (name) => new RegExp(`\\b${name}="([^"]*)"`).exec(open)?.[1],
      role: /<Role schemeIdUri="urn:mpeg:dash:role:2011" value="([^"]+)"/.exec(m[2] as string)?.[1],
    };
  });
}

/** Every file a Representation names: init and segments from its template and timeline, or its BaseURL. */
function filesOf(set: AdaptationSet): { files: string[]; cuts: string } {
  const files: string[] = [];
  const cuts: number[] = [];
  for (const rep of set.body.matchAll(/<Representation\b([^>]*)>([\s\S]*?)<\/Representation>/g)) {
    const id = /\bid="([^"]+)"/.exec(rep[1] as string)?.[1] as string;
    const base = /<BaseURL>([^<]+)<\/BaseURL>/.exec(rep[2] as string)?.[1];
    if (base !== undefined) {
      files.push(base);
      continue;
    }
    const template = /<SegmentTemplate\b([^>]*)>/.exec(rep[2] as string)?.[1] ?? "";
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(template)?.[1] as string;
    files.push(attr("initialization").replace("$RepresentationID$", id));
    let n = Number(attr("startNumber"));
    for (const s of (rep[2] as string).matchAll(/<S\b([^>]*)\/>/g)) {
      const d = Number(/\bd="(\d+)"/.exec(s[1] as string)?.[1]);
      const r = Number(/\br="(\d+)"/.exec(s[1] as string)?.[1] ?? 0);
      for (let i = 0; i <= r; i++) {
        files.push(
          attr("media")
            .replace("$RepresentationID$", id)
            .replace(/\$Number%05d\$/, String(n++).padStart(5, "0")),
        );
        cuts.push(d / Number(attr("timescale")));
      }
    }
  }
  return { files, cuts: cuts.join(",") };
}

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"]),
            body: Buffer.concat(chunks).toString("latin1"),
          }),
        );
      })
      .on("error", reject);
  });
}

const ingest = (assetId: string, more: Partial<TranscodeOptions>) =>
  transcodeToAsset({ ffmpeg, source, mediaDir, assetId, preset: "ultrafast", ...more });

test.serial(
  "two audio languages and two text tracks are published and every file is fetchable",
  async (t) => {
    const assetId = randomUUID();
    const asset = await ingest(assetId, {
      audioLanguage: "en",
      audioTracks: [{ file: french, stream: 0, language: "fr", role: "dub" }],
      textTracks: [
        { file: englishVtt, language: "en", kind: "subtitles" },
        { file: frenchSrt, language: "fr", kind: "captions" },
      ],
    });
    t.deepEqual(
      asset.audioTracks?.map((a) => [a.id, a.language, a.role, a.label]),
      [
        ["audio", "en", "main", "English"],
        ["audio2", "fr", "dub", "Français"],
      ],
    );
    t.deepEqual(
      asset.textTracks?.map((x) => [x.file, x.language, x.kind, x.cues]),
      [
        ["text1.vtt", "en", "subtitles", 4],
        ["text2.vtt", "fr", "captions", 2],
      ],
    );
    t.deepEqual(await readAsset(mediaDir, assetId), asset);

    const mpd = readFileSync(path.join(mediaDir, assetId, "manifest.mpd"), "utf8");
    const sets = adaptationSets(mpd);
    const audio = sets.filter((s) => s.attr("contentType") === "audio");
    const text = sets.filter((s) => s.attr("contentType") === "text");
    t.deepEqual(
      audio.map((s) => [s.attr("lang"), s.role, /codecs="([^"]+)"/.exec(s.body)?.[1]]),
      [
        ["en", "main", "mp4a.40.2"],
        ["fr", "dub", "mp4a.40.2"],
      ],
    );
    t.is(
      filesOf(audio[0] as AdaptationSet).cuts,
      filesOf(audio[1] as AdaptationSet).cuts,
      "same segment cuts",
    );
    t.deepEqual(
      text.map((s) => [s.attr("lang"), s.attr("mimeType"), s.role]),
      [
        ["en", "text/vtt", "subtitle"],
        ["fr", "text/vtt", "caption"],
      ],
    );
    t.is(new Set(sets.map((s) => s.attr("id"))).size, sets.length, "AdaptationSet ids are distinct");
    const converted = readFileSync(path.join(mediaDir, assetId, "text2.vtt"), "utf8");
    t.is(
      converted,
      "WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nBonjour\n\n00:00:03.000 --> 00:00:05.250\nDeux lignes,\nsous-titrées\n",
    );

    const { base, signer } = await startOrigin(t, mediaDir);
    for (const maxHeight of [0, 480]) {
      const manifest = signer.manifestPath({
        sessionId: randomUUID(),
        assetId,
        expires: Math.floor(Date.now() / 1000) + 600,
        maxHeight,
      });
      const served = await get(base + manifest);
      t.is(served.status, 200);
      const trimmed = adaptationSets(served.body);
      t.deepEqual(
        trimmed.filter((s) => s.attr("contentType") !== "video").map((s) => [s.attr("lang"), s.role]),
        [
          ["en", "main"],
          ["fr", "dub"],
          ["en", "subtitle"],
          ["fr", "caption"],
        ],
        `the session's manifest (cap ${maxHeight}) keeps every audio and text track`,
      );
      if (maxHeight > 0) t.notRegex(served.body, /height="720"/);
      for (const set of trimmed.filter((s) => s.attr("contentType") !== "video")) {
        for (const file of filesOf(set).files) {
          const res = await get(base + manifest.replace(/manifest\.mpd$/, file));
          t.is(res.status, 200, file);
          t.is(res.type.split(";")[0], set.attr("contentType") === "text" ? "text/vtt" : "audio/mp4", file);
          t.true(res.body.length > 0);
        }
      }
    }
    // A forged token opens no text track either.
    const forged = (await get(`${base}/media/s/x.1.0.y/${assetId}/text1.vtt`)).status;
    t.is(forged, 403);
  },
);

const BAD: Array<[string, string, RegExp]> = [
  ["empty.vtt", "WEBVTT\n\n", /empty\.vtt: the file holds no cue/],
  [
    "header.vtt",
    "00:00:01.000 --> 00:00:02.000\nHi\n",
    /header\.vtt: a WebVTT file starts with the line WEBVTT/,
  ],
  ["times.srt", "1\n00:00:01,000 -> 00:00:02,000\nHi\n", /times\.srt line 2: expected a cue timing/],
  [
    "backwards.srt",
    "1\n00:00:03,000 --> 00:00:02,000\nHi\n",
    /backwards\.srt line 2: the cue ends before it starts/,
  ],
  ["notext.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n", /notext\.vtt line 3: the cue has no text/],
  ["subs.ass", "[Script Info]\n", /subs\.ass: subtitles must be WebVTT \(\.vtt\) or SubRip \(\.srt\)/],
];

for (const [name, body, message] of BAD) {
  test.serial(`a bad text track (${name}) fails the ingest clearly and publishes nothing`, async (t) => {
    const file = path.join(work, name);
    writeFileSync(file, body);
    const assetId = randomUUID();
    const err = await t.throwsAsync(
      ingest(assetId, { textTracks: [{ file, language: "en", kind: "subtitles" }] }),
    );
    t.regex(err?.message ?? "", message);
    t.false(existsSync(path.join(mediaDir, assetId)));
  });
}

test.serial("a bad language or a missing audio stream fails the ingest and publishes nothing", async (t) => {
  const cases: Array<[Partial<TranscodeOptions>, RegExp]> = [
    [
      { textTracks: [{ file: englishVtt, language: "english!", kind: "subtitles" }] },
      /"english!" is not a language tag/,
    ],
    [
      { audioTracks: [{ file: french, stream: 1, language: "fr", role: "dub" }] },
      /audio track 1 \(fr\.m4a\): no audio stream 1 \(it has streams 0 to 0\)/,
    ],
    [
      { audioTracks: [{ file: englishVtt, stream: 0, language: "fr", role: "dub" }] },
      /no audio stream 0 \(it has no audio\)/,
    ],
  ];
  for (const [more, message] of cases) {
    const assetId = randomUUID();
    const err = await t.throwsAsync(ingest(assetId, more));
    t.regex(err?.message ?? "", message);
    t.false(existsSync(path.join(mediaDir, assetId)));
  }
  t.deepEqual(readdirSync(path.join(mediaDir, INCOMING)), [], "no work directory left behind");
});
