/**
 * The operators' QoE view: what viewers experience, from GetQoeSummary, refreshed every few
 * seconds: the figures now, a chart per figure over the window's minutes (uPlot, loaded with the
 * screen), and tables by title, rendition, country and session. Only members whose token carries
 * the operator role reach it (the gateway and the service check the role again).
 */
import {
  type Duration,
  durationFromMs,
  durationMs,
  type Timestamp,
  timestampMs,
} from "@bufbuild/protobuf/wkt";
import type {
  GetQoeSummaryResponse,
  QoeFigures,
  QoeGroup,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";
import type uPlot from "uplot";
import { api, session } from "../lib/api.js";
import { getTitle } from "../lib/catalog.js";
import { h, replace } from "../lib/dom.js";
import { formatBitrate } from "../lib/format.js";
import { jwtClaims } from "../lib/session.js";
import { router } from "../nav.js";
import { errorState, shell } from "../ui/shell.js";
import "./operator.css";

const REFRESH_MS = 5_000;
const WINDOWS = [
  ["15 min", 15],
  ["1 hour", 60],
  ["3 hours", 180],
] as const;

/** Whether the signed-in member's token carries the operator role. */
export function isOperator(): boolean {
  const roles = jwtClaims(session.tokenNow()).rol;
  return Array.isArray(roles) && roles.includes("operator");
}

const ms = (d: Duration | undefined) => (d === undefined ? 0 : durationMs(d));
const at = (t: Timestamp | undefined) => (t === undefined ? 0 : timestampMs(t));
const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 2 : 1)} %`;
const seconds = (d: Duration | undefined) => (ms(d) === 0 ? "—" : `${(ms(d) / 1000).toFixed(2)} s`);

interface Chart {
  title: string;
  unit: string;
  value: (f: QoeFigures | undefined) => number;
}

const CHARTS: Chart[] = [
  { title: "Sessions", unit: "", value: (f) => f?.sessions ?? 0 },
  { title: "Average bitrate", unit: "Mbps", value: (f) => Number(f?.averageBitrateBps ?? 0n) / 1e6 },
  { title: "Rebuffer ratio", unit: "%", value: (f) => (f?.rebufferRatio ?? 0) * 100 },
  { title: "Startup time", unit: "s", value: (f) => ms(f?.averageStartupTime) / 1000 },
  { title: "Switches", unit: "", value: (f) => Number(f?.switches ?? 0n) },
  { title: "Dropped frames", unit: "", value: (f) => Number(f?.droppedFrames ?? 0n) },
];

function tile(label: string, value: string): HTMLElement {
  return h(
    "div",
    { class: "qoe-tile" },
    h("span", { class: "qoe-tile-label" }, label),
    h("strong", null, value),
  );
}

function figureCells(f: QoeFigures | undefined): HTMLElement[] {
  return [
    h("td", { class: "num" }, String(f?.sessions ?? 0)),
    h("td", { class: "num" }, seconds(f?.averageStartupTime)),
    h("td", { class: "num" }, percent(f?.rebufferRatio ?? 0)),
    h("td", { class: "num" }, formatBitrate(f?.averageBitrateBps)),
    h("td", { class: "num" }, String(f?.switches ?? 0n)),
    h("td", { class: "num" }, String(f?.droppedFrames ?? 0n)),
  ];
}

const FIGURE_HEADS = ["Sessions", "Startup", "Rebuffer", "Bitrate", "Switches", "Dropped"];

function table(caption: string, heads: string[], rows: HTMLElement[][]): HTMLElement {
  return h(
    "section",
    { class: "qoe-table" },
    h("h2", null, caption),
    rows.length === 0
      ? h("p", { class: "muted" }, "No reports in this window.")
      : h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "table" },
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                heads.map((x) => h("th", { scope: "col" }, x)),
              ),
            ),
            h(
              "tbody",
              null,
              rows.map((cells) => h("tr", null, cells)),
            ),
          ),
        ),
  );
}

const groupRows = (groups: QoeGroup[], label: (key: string) => string) =>
  groups.map((g) => [h("td", null, label(g.key)), ...figureCells(g.figures)]);

/** Titles by content id, as they arrive (shown from the next refresh; the id's start until then). */
const titleNames = new Map<string, string>();
function titleName(contentId: string): string {
  const known = titleNames.get(contentId);
  if (known !== undefined) return known;
  titleNames.set(contentId, contentId.slice(0, 8));
  getTitle(contentId).then(
    (c) => {
      if (c) titleNames.set(contentId, c.title);
    },
    () => titleNames.delete(contentId),
  );
  return contentId.slice(0, 8);
}

export async function operatorScreen(): Promise<void> {
  const main = shell({ member: session.profile !== undefined });
  const tiles = h("div", { class: "qoe-tiles", "aria-live": "polite" });
  const charts = h("div", { class: "qoe-charts" });
  const tables = h("div", { class: "qoe-tables" });
  const status = h("p", { class: "muted qoe-status" }, "Loading…");
  let windowMinutes = 15;
  const picker = h(
    "select",
    {
      "aria-label": "Window",
      onchange: (e: Event) => {
        windowMinutes = Number((e.target as HTMLSelectElement).value);
        void refresh();
      },
    },
    WINDOWS.map(([label, minutes]) => h("option", { value: String(minutes) }, label)),
  );
  main.append(
    h(
      "div",
      { class: "page qoe" },
      h("div", { class: "qoe-head" }, h("h1", { class: "page-title" }, "Quality of experience"), picker),
      status,
      tiles,
      charts,
      tables,
    ),
  );

  const { default: UPlot } = await import("uplot");
  await import("uplot/dist/uPlot.min.css");
  const plots: uPlot[] = [];
  const plotsFor = (summary: GetQoeSummaryResponse) => {
    const xs = summary.minutes.map((m) => at(m.startTime) / 1000);
    const width = Math.max(260, Math.floor((charts.clientWidth || 900) / 3) - 16);
    CHARTS.forEach((c, i) => {
      const data: uPlot.AlignedData = [xs, summary.minutes.map((m) => c.value(m.figures))];
      const existing = plots[i];
      if (existing) {
        existing.setData(data);
        return;
      }
      const box = h("figure", { class: "qoe-chart" });
      charts.append(box);
      plots[i] = new UPlot(
        {
          title: c.unit ? `${c.title} (${c.unit})` : c.title,
          width,
          height: 180,
          legend: { show: false },
          series: [{}, { label: c.title, stroke: "#e50914", width: 2, fill: "rgba(229,9,20,0.12)" }],
          axes: [{ stroke: "#aaa" }, { stroke: "#aaa" }],
        },
        data,
        box,
      );
    });
  };

  const render = (s: GetQoeSummaryResponse) => {
    const total = s.total;
    replace(
      tiles,
      tile("Playing now", String(s.concurrentSessions)),
      tile("Startup time", seconds(total?.averageStartupTime)),
      tile("Rebuffer ratio", percent(total?.rebufferRatio ?? 0)),
      tile("Average bitrate", formatBitrate(total?.averageBitrateBps)),
      tile("Switches", String(total?.switches ?? 0n)),
      tile("Dropped frames", String(total?.droppedFrames ?? 0n)),
    );
    plotsFor(s);
    replace(
      tables,
      table("By title", ["Title", ...FIGURE_HEADS], groupRows(s.titles, titleName)),
      table(
        "By rendition",
        ["Rendition", ...FIGURE_HEADS],
        groupRows(s.renditions, (key) => key || "—"),
      ),
      table(
        "By country",
        ["Country", ...FIGURE_HEADS],
        groupRows(s.countries, (key) => key || "Unknown"),
      ),
      table(
        "Sessions",
        ["Session", "Title", "Country", "Rendition", ...FIGURE_HEADS],
        s.sessions.map((x) => [
          h("td", null, x.sessionId.slice(-12)),
          h("td", null, titleName(x.contentId)),
          h("td", null, x.country || "—"),
          h("td", null, x.renditionId || "—"),
          ...figureCells(x.figures),
        ]),
      ),
    );
    status.textContent = `Updated ${new Date(at(s.endTime)).toLocaleTimeString()} · every ${REFRESH_MS / 1000} s`;
  };

  let stopped = false;
  const refresh = async () => {
    try {
      render(
        await api.streaming.getQoeSummary({
          window: durationFromMs(windowMinutes * 60_000),
          sessionLimit: 50,
        }),
      );
    } catch (err) {
      if (!stopped)
        replace(
          tables,
          errorState(err, () => void refresh()),
        );
    }
  };
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  router.onLeave(() => {
    stopped = true;
    clearInterval(timer);
    for (const p of plots) p.destroy();
  });
  await refresh();
}
