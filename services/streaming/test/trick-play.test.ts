import test from "ava";
import {
  spriteGrid,
  spriteName,
  TILE_HEIGHT,
  TILE_WIDTH,
  thumbnailsVtt,
  trickPlayInterval,
} from "../src/ingest/trick-play.js";

interface Cue {
  start: number;
  end: number;
  sprite: string;
  xywh: number[];
}

const seconds = (t: string) => {
  const [h, m, s] = t.split(":").map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};

function cues(vtt: string): Cue[] {
  return [...vtt.matchAll(/^(\S+) --> (\S+)\n(sprite-\d{3}\.jpg)#xywh=(\d+),(\d+),(\d+),(\d+)$/gm)].map(
    (m) => ({
      start: seconds(m[1] as string),
      end: seconds(m[2] as string),
      sprite: m[3] as string,
      xywh: m.slice(4, 8).map(Number),
    }),
  );
}

test("previews every 2 s for short titles, further apart for long ones, never more than 10 s", (t) => {
  t.is(trickPlayInterval(30_000), 2);
  t.is(trickPlayInterval(600_000), 2);
  t.is(trickPlayInterval(1_500_000), 5);
  t.is(trickPlayInterval(7_200_000), 10);
  t.is(trickPlayInterval(36_000_000), 10);
});

test("a sheet is one row when the tiles fit in it, else up to 10 × 10", (t) => {
  t.deepEqual(spriteGrid(1), { columns: 1, rows: 1 });
  t.deepEqual(spriteGrid(7), { columns: 7, rows: 1 });
  t.deepEqual(spriteGrid(15), { columns: 10, rows: 2 });
  t.deepEqual(spriteGrid(250), { columns: 10, rows: 10 });
});

test("the track covers the whole title without gaps, each cue naming its own tile within its sheet", (t) => {
  const vtt = thumbnailsVtt(250, 4, 999_500);
  t.true(vtt.startsWith("WEBVTT\n\n"));
  const all = cues(vtt);
  t.is(all.length, 250);
  t.is(all[0]?.start, 0);
  for (const [i, c] of all.entries()) {
    if (i > 0) t.is(c.start, all[i - 1]?.end ?? Number.NaN, `cue ${i} starts where the one before ends`);
    t.true(c.end > c.start);
    const [x, y, w, h] = c.xywh as [number, number, number, number];
    t.deepEqual([w, h], [TILE_WIDTH, TILE_HEIGHT]);
    t.true(x + w <= 10 * TILE_WIDTH && y + h <= 10 * TILE_HEIGHT, `tile ${i} inside its sheet`);
    t.is(c.sprite, spriteName(Math.floor(i / 100)));
    t.is((y / TILE_HEIGHT) * 10 + x / TILE_WIDTH, i % 100);
  }
  t.is(all.at(-1)?.end, 999.5);
  t.deepEqual(all[101]?.xywh, [TILE_WIDTH, 0, TILE_WIDTH, TILE_HEIGHT]);
  t.is(all[101]?.sprite, "sprite-002.jpg");
});

test("a tile past the end is left out, and too few tiles stretch the last cue to the end", (t) => {
  // ffmpeg's fps filter may give one frame more or less than the length divided by the interval.
  const extra = cues(thumbnailsVtt(6, 2, 10_000));
  t.is(extra.length, 5);
  t.is(extra.at(-1)?.end, 10);
  const short = cues(thumbnailsVtt(4, 2, 10_000));
  t.is(short.length, 4);
  t.deepEqual([short.at(-1)?.start, short.at(-1)?.end], [6, 10]);
});
