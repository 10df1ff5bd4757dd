/**
 * Home: a featured title, then rows — Continue Watching, My List, Trending
 * (or popular), recommendations, one per genre. Only the rows at the top are
 * asked for at once; the rest load as they come near the screen.
 */
import { durationMs } from "@bufbuild/protobuf/wkt";
import { type Content, type Genre, RowKind } from "@marquee/sdk/browser";
import { api, session } from "../lib/api.js";
import { getTitle, getTitles, remember } from "../lib/catalog.js";
import { h, ICONS, icon } from "../lib/dom.js";
import { formatRuntime } from "../lib/format.js";
import { myListIds, onMyListChange } from "../lib/my-list.js";
import { trendingRow } from "../lib/trending-row.js";
import { playButton } from "../ui/play-button.js";
import { heroImage, hueOf } from "../ui/poster.js";
import { enableRowKeys, type RowContent, type RowItem, row } from "../ui/row.js";
import { focusMain, shell } from "../ui/shell.js";
import { searchHandler } from "./search.js";

const items = (contents: Content[]): RowItem[] => contents.map((content) => ({ content }));

/** Cards a screen shows at once: their details are awaited, the rest's follow. */
const FIRST_CARDS = 8;

/** A row of titles by id: the first screenful as soon as its details are in, the rest after. */
async function titleRow(ids: string[]): Promise<RowContent> {
  const more = getTitles(ids.slice(FIRST_CARDS)).then(items);
  // The row shows what it gets of the rest; a rest that fails while the first cards load is no error.
  more.catch(() => undefined);
  return { items: items(await getTitles(ids.slice(0, FIRST_CARDS))), more };
}

/** Genres a kids profile has no row for, whatever a title's rating says. */
const NOT_FOR_KIDS = new Set(["horror", "war", "crime", "thriller"]);
/** Genres a kids profile sees first. */
const KIDS_FIRST = ["kids", "animation", "family"];

/**
 * The genres with a row: those with titles the profile may watch (counts are
 * under its cap); for a kids profile none of the dark ones, children's first.
 */
function genreRows(genres: Genre[], kids: boolean): Genre[] {
  const shown = genres.filter((g) => g.titleCount > 0 && !(kids && NOT_FOR_KIDS.has(g.genreId)));
  if (!kids) return shown;
  const rank = (g: Genre) =>
    KIDS_FIRST.includes(g.genreId) ? KIDS_FIRST.indexOf(g.genreId) : KIDS_FIRST.length;
  return [...shown].sort((a, b) => rank(a) - rank(b));
}

function hero(content: Content): HTMLElement {
  const backdrop = content.artwork?.backdropUrl || content.artwork?.posterUrl;
  const year = content.releaseDate.slice(0, 4);
  const runtime = content.duration ? formatRuntime(Number(durationMs(content.duration)) / 1000) : "";
  return h(
    "section",
    { class: "hero", style: `--hue:${hueOf(content.contentId)}`, "aria-label": "Featured" },
    backdrop ? heroImage(backdrop) : null,
    h(
      "div",
      { class: "hero-body" },
      h("p", { class: "eyebrow" }, "Featured"),
      h("h1", { class: "hero-title" }, content.title),
      h("p", { class: "meta" }, [year, runtime].filter(Boolean).join(" · ")),
      h("p", { class: "hero-synopsis" }, content.synopsis),
      h(
        "div",
        { class: "actions" },
        playButton(content).el,
        h(
          "a",
          { class: "btn btn-secondary", href: `/title/${content.contentId}` },
          icon(ICONS.info),
          "More info",
        ),
      ),
    ),
  );
}

function heroSkeleton(): HTMLElement {
  return h("section", { class: "hero skeleton", "aria-hidden": "true" }, h("div", { class: "hero-body" }));
}

export function homeScreen(): void {
  const main = shell({ member: true, active: "home", onSearch: searchHandler() });
  const profileId = session.profile?.profileId ?? "";
  const heroHost = h("div", { class: "hero-host" }, heroSkeleton());
  const rows = h("div", { class: "rows" });
  main.append(h("h1", { class: "sr-only" }, "Home"), heroHost, rows);
  enableRowKeys(rows);
  focusMain(main);

  // Popular titles asked for alongside trending ones, not after: the row most often needs them.
  const popular = api.content.browseContent({ pageSize: 20 }).then((res) => res.contents);
  popular.catch(() => undefined);
  const trending = api.content
    .getTrending({ pageSize: 20 })
    .then((res) =>
      trendingRow(
        res.items.flatMap((i) => (i.content ? [i.content] : [])),
        () => popular,
      ),
    )
    .then((found) => {
      found.contents.forEach(remember);
      return found;
    });
  // Featured: the first title of that row (the top trending title, else the most popular one).
  trending
    .then((found) => {
      const top = found.contents[0];
      heroHost.replaceChildren(top ? hero(top) : h("div"));
    })
    .catch(() => heroHost.replaceChildren(h("div")));

  // My List: drawn again whenever a toggle on this page changes it; hidden while empty.
  const myListHost = h("div", { class: "rows" });
  const drawMyList = () =>
    myListHost.replaceChildren(
      row({
        id: "my-list",
        title: "My List",
        load: async () => titleRow((await myListIds()).slice(0, 40)),
      }),
    );
  drawMyList();
  const stopMyList = onMyListChange(() => {
    if (myListHost.isConnected) drawMyList();
    else stopMyList();
  });

  rows.append(
    row({
      id: "continue-watching",
      title: "Continue Watching",
      async load() {
        const res = await api.streaming.getContinueWatching({ profileId, pageSize: 20 });
        const titles = await getTitles(res.items.map((i) => i.contentId));
        return titles.map((content) => {
          const p = res.items.find((i) => i.contentId === content.contentId);
          const pos = p?.position ? Number(durationMs(p.position)) : 0;
          const dur = p?.duration ? Number(durationMs(p.duration)) : 0;
          return {
            content,
            extras: {
              progress: dur > 0 ? pos / dur : 0,
              href: `/watch/${content.contentId}${p?.episodeId ? `?episode=${p.episodeId}` : ""}`,
              subtitle: dur > 0 ? `${formatRuntime((dur - pos) / 1000)} left` : undefined,
            },
          };
        });
      },
    }),
    myListHost,
    row({
      id: "trending",
      title: "Trending Now",
      async load() {
        const found = await trending;
        return { title: found.title, items: items(found.contents) };
      },
      empty: "Nothing to show here yet.",
    }),
  );

  // Recommendation rows arrive together; placeholders keep their place in the page.
  const recoHost = h("div", { class: "rows" });
  rows.appendChild(recoHost);
  const recs = api.recommendation.getRecommendationsForUser({ profileId, maxRows: 6, itemsPerRow: 20 });
  recoHost.appendChild(
    row({
      id: "recommended",
      title: "Recommended for you",
      empty: "Watch and rate a few titles and we'll suggest more.",
      async load() {
        const res = await recs;
        const top =
          res.rows.find((r) => r.kind === RowKind.TOP_PICKS || r.kind === RowKind.POPULAR) ?? res.rows[0];
        // This row's titles are asked for first; the other rows follow it and load near the screen.
        const shown = titleRow(top?.items.map((i) => i.contentId) ?? []);
        for (const r of res.rows) {
          if (r === top) continue;
          const because = !r.title && r.kind === RowKind.BECAUSE_YOU_WATCHED;
          recoHost.appendChild(
            row({
              id: `reco-${r.kind}-${r.evidenceContentId || r.evidenceGenreId}`,
              title: r.title || (because ? "Because you watched" : "More for you"),
              lazy: true,
              async load() {
                const list = await titleRow(r.items.map((i) => i.contentId));
                if (!because) return list;
                const seen = await getTitle(r.evidenceContentId).catch(() => undefined);
                return { ...list, title: `Because you watched ${seen?.title ?? "a title"}` };
              },
            }),
          );
        }
        return shown;
      },
    }),
  );

  // One row per genre, loaded as it scrolls into view.
  const genreHost = h("div", { class: "rows" });
  rows.appendChild(genreHost);
  api.content
    .getGenres({})
    .then((res) => {
      for (const genre of genreRows(res.genres, session.profile?.kids === true)) {
        genreHost.appendChild(
          row({
            id: `genre-${genre.genreId}`,
            title: genre.name,
            lazy: true,
            async load() {
              const page = await api.content.browseContent({ genreId: genre.genreId, pageSize: 20 });
              page.contents.forEach(remember);
              return items(page.contents);
            },
          }),
        );
      }
    })
    .catch((err: unknown) => {
      genreHost.appendChild(row({ title: "Genres", load: () => Promise.reject(err) }));
    });
}
