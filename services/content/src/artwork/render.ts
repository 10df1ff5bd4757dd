/**
 * Draws a design as JPEG with Skia (@napi-rs/canvas): a poster (2:3, the
 * title set in Inter, which ships with the package, so the picture does not
 * depend on the machine's fonts) and a backdrop (16:9, no lettering: the
 * pages print the title beside it). Encoding runs on libuv's thread pool, so
 * a burst of first views does not stall the service's event loop.
 */
import { createRequire } from "node:module";
import { seededRandom } from "@marquee/kit";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";
import type { ArtworkDesign, Motif } from "./design.js";

export type ArtworkKind = "poster" | "backdrop";

const SIZES: Record<ArtworkKind, { width: number; height: number }> = {
  // Cards are 200×300 CSS pixels; twice that is sharp on high-density screens.
  poster: { width: 400, height: 600 },
  backdrop: { width: 1280, height: 720 },
};

const JPEG_QUALITY = 82;
const FAMILY = "Marquee Inter";

let fontsReady = false;
function ensureFonts(): void {
  if (fontsReady) return;
  const files = createRequire(import.meta.url);
  for (const weight of [600, 800]) {
    GlobalFonts.registerFromPath(
      files.resolve(`@fontsource/inter/files/inter-latin-${weight}-normal.woff2`),
      FAMILY,
    );
  }
  fontsReady = true;
}

export async function renderArtwork(design: ArtworkDesign, kind: ArtworkKind): Promise<Buffer> {
  ensureFonts();
  const { width, height } = SIZES[kind];
  const canvas = createCanvas(width, height);
  const g = canvas.getContext("2d");
  paintBackground(g, design, width, height);
  paintMotif(g, design, width, height);
  if (kind === "poster") paintLettering(g, design, width, height);
  return canvas.encode("jpeg", JPEG_QUALITY);
}

function hsl(hue: number, saturation: number, lightness: number, alpha = 1): string {
  return `hsla(${hue}, ${Math.round(saturation * 100)}%, ${Math.round(lightness * 100)}%, ${alpha})`;
}

function paintBackground(g: SKRSContext2D, d: ArtworkDesign, width: number, height: number): void {
  const gradient = g.createLinearGradient(0, 0, width * 0.4, height);
  gradient.addColorStop(0, hsl(d.hues[0], 0.55, d.light));
  gradient.addColorStop(1, hsl(d.hues[1], 0.5, d.light * 0.35));
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
}

/** Shapes in the genre's manner, placed by the title's own random numbers. */
function paintMotif(g: SKRSContext2D, d: ArtworkDesign, width: number, height: number): void {
  // Offset from the seed design.ts drew the hue from, so shapes do not move in step with it.
  const random = seededRandom(d.seed ^ 0x5bd1e995);
  const unit = Math.min(width, height);
  const accent = (alpha: number) => hsl((d.hues[0] + 180) % 360, 0.7, Math.min(0.85, d.light + 0.3), alpha);
  const pale = (alpha: number) => `rgba(255, 255, 255, ${alpha})`;
  const draw: Record<Motif, () => void> = {
    rings: () => {
      const cx = width * (0.3 + random() * 0.5);
      const cy = height * (0.2 + random() * 0.3);
      g.lineWidth = unit * 0.012;
      for (let i = 1; i <= 6; i++) {
        g.strokeStyle = pale(0.35 - i * 0.04);
        g.beginPath();
        g.arc(cx, cy, unit * 0.09 * i, 0, Math.PI * 2);
        g.stroke();
      }
      g.fillStyle = accent(0.8);
      g.beginPath();
      g.arc(cx, cy, unit * 0.06, 0, Math.PI * 2);
      g.fill();
    },
    slashes: () => {
      for (let i = 0; i < 5; i++) {
        g.fillStyle = i === 0 ? accent(0.75) : pale(0.08 + random() * 0.1);
        const x = width * (random() * 1.2 - 0.1);
        const w = unit * (0.04 + random() * 0.12);
        g.beginPath();
        g.moveTo(x, 0);
        g.lineTo(x + w, 0);
        g.lineTo(x + w - width * 0.5, height);
        g.lineTo(x - width * 0.5, height);
        g.closePath();
        g.fill();
      }
    },
    moon: () => {
      const cx = width * (0.55 + random() * 0.25);
      const cy = height * (0.18 + random() * 0.15);
      const r = unit * (0.16 + random() * 0.06);
      g.fillStyle = pale(0.85);
      g.beginPath();
      g.arc(cx, cy, r, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = hsl(d.hues[0], 0.55, d.light);
      g.beginPath();
      g.arc(cx - r * 0.45, cy - r * 0.15, r * 0.9, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = "rgba(0, 0, 0, 0.55)";
      for (let i = 0; i < 9; i++) {
        const x = width * (i / 8) + (random() - 0.5) * unit * 0.05;
        const h = height * (0.18 + random() * 0.22);
        g.fillRect(x, height - h - height * 0.3, unit * 0.012, h + height * 0.3);
      }
    },
    grid: () => {
      const step = unit * (0.08 + random() * 0.05);
      g.strokeStyle = pale(0.12);
      g.lineWidth = 1.5;
      for (let x = step / 2; x < width; x += step) {
        g.beginPath();
        g.moveTo(x, 0);
        g.lineTo(x, height);
        g.stroke();
      }
      for (let y = step / 2; y < height; y += step) {
        g.beginPath();
        g.moveTo(0, y);
        g.lineTo(width, y);
        g.stroke();
      }
      g.fillStyle = accent(0.7);
      g.fillRect(
        Math.floor(random() * (width / step)) * step + step / 2,
        Math.floor(random() * (height / step / 2)) * step + step / 2,
        step * 2,
        step,
      );
    },
    waves: () => {
      for (let i = 0; i < 7; i++) {
        g.strokeStyle = i === 3 ? accent(0.8) : pale(0.1 + i * 0.025);
        g.lineWidth = unit * (i === 3 ? 0.018 : 0.008);
        const base = height * (0.15 + i * 0.08);
        const amp = unit * (0.03 + random() * 0.05);
        const phase = random() * Math.PI * 2;
        g.beginPath();
        for (let x = 0; x <= width; x += 8) {
          const y = base + Math.sin((x / width) * Math.PI * 3 + phase) * amp;
          if (x === 0) g.moveTo(x, y);
          else g.lineTo(x, y);
        }
        g.stroke();
      }
    },
    sun: () => {
      const cx = width * (0.3 + random() * 0.4);
      const cy = height * 0.42;
      const r = unit * 0.22;
      const glow = g.createRadialGradient(cx, cy, r * 0.2, cx, cy, r * 1.6);
      // A sun is warm whatever the genre's hue.
      glow.addColorStop(0, hsl(42, 0.95, 0.7, 0.95));
      glow.addColorStop(1, hsl(30, 0.9, 0.6, 0));
      g.fillStyle = glow;
      g.fillRect(0, 0, width, height);
      g.fillStyle = "rgba(0, 0, 0, 0.45)";
      g.beginPath();
      g.moveTo(0, height * 0.55);
      for (let x = 0; x <= width; x += width / 6) g.lineTo(x, height * (0.45 + random() * 0.12));
      g.lineTo(width, height);
      g.lineTo(0, height);
      g.closePath();
      g.fill();
    },
    stars: () => {
      for (let i = 0; i < 60; i++) {
        g.fillStyle = pale(0.3 + random() * 0.6);
        g.beginPath();
        g.arc(random() * width, random() * height * 0.7, unit * (0.002 + random() * 0.006), 0, Math.PI * 2);
        g.fill();
      }
      g.strokeStyle = accent(0.8);
      g.lineWidth = unit * 0.01;
      g.beginPath();
      g.moveTo(width * random(), height * 0.1);
      g.quadraticCurveTo(width * 0.5, height * 0.5, width * random(), height * 0.65);
      g.stroke();
    },
    blocks: () => {
      for (let i = 0; i < 9; i++) {
        g.fillStyle = i % 3 === 0 ? accent(0.75) : pale(0.12 + random() * 0.15);
        const size = unit * (0.1 + random() * 0.18);
        g.beginPath();
        g.roundRect(random() * (width - size), random() * (height * 0.65 - size), size, size, size * 0.25);
        g.fill();
      }
    },
  };
  draw[d.motif]();
}

/** The kicker and the title, bottom left, over a shade that keeps them readable on any motif. */
function paintLettering(g: SKRSContext2D, d: ArtworkDesign, width: number, height: number): void {
  const shade = g.createLinearGradient(0, height * 0.45, 0, height);
  shade.addColorStop(0, "rgba(0, 0, 0, 0)");
  shade.addColorStop(1, "rgba(0, 0, 0, 0.8)");
  g.fillStyle = shade;
  g.fillRect(0, height * 0.45, width, height * 0.55);

  const margin = width * 0.08;
  const room = width - margin * 2;
  let size = 58;
  let lines = wrap(g, d.title, room, size);
  while ((lines.length > 3 || widest(g, lines, size) > room) && size > 26) {
    size -= 4;
    lines = wrap(g, d.title, room, size);
  }
  g.fillStyle = "#fff";
  g.textBaseline = "alphabetic";
  g.font = `800 ${size}px "${FAMILY}"`;
  const lineHeight = size * 1.08;
  let y = height - margin - (lines.length - 1) * lineHeight;
  // Above the first line's capitals (about 0.75 of the size in Inter), with a gap.
  const kickerY = y - size * 0.75 - 14;
  for (const line of lines) {
    g.fillText(line, margin, y, room);
    y += lineHeight;
  }
  if (d.kicker !== "") {
    g.font = `600 17px "${FAMILY}"`;
    g.fillStyle = "rgba(255, 255, 255, 0.8)";
    g.fillText(d.kicker.toUpperCase(), margin, kickerY, room);
  }
}

function wrap(g: SKRSContext2D, text: string, room: number, size: number): string[] {
  g.font = `800 ${size}px "${FAMILY}"`;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    const next = line === "" ? word : `${line} ${word}`;
    if (line !== "" && g.measureText(next).width > room) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line !== "") lines.push(line);
  return lines;
}

function widest(g: SKRSContext2D, lines: readonly string[], size: number): number {
  g.font = `800 ${size}px "${FAMILY}"`;
  return Math.max(0, ...lines.map((line) => g.measureText(line).width));
}
