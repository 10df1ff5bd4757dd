/** Title details: synopsis, cast, play/resume, ratings, seasons and episodes, similar titles. */
import { durationMs } from "@bufbuild/protobuf/wkt";
import { type Content, ContentType, MaturityRating, RatingValue } from "@marquee/sdk/browser";
import { api, session } from "../lib/api.js";
import { getTitle, getTitles } from "../lib/catalog.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { formatRuntime } from "../lib/format.js";
import { openSessionEarly } from "../player/open-session.js";
import { preloadPlayer } from "../player/preload.js";
import { myListButton } from "../ui/my-list-button.js";
import { playButton } from "../ui/play-button.js";
import { heroImage, hueOf, posterArt } from "../ui/poster.js";
import { enableRowKeys, row } from "../ui/row.js";
import { focusMain, shell, toast } from "../ui/shell.js";
import { titleUnavailableState } from "../ui/title-unavailable.js";
import { searchHandler } from "./search.js";

const MATURITY_LABEL: Record<number, string> = {
  [MaturityRating.ALL]: "All ages",
  [MaturityRating.KIDS]: "7+",
  [MaturityRating.TEEN]: "13+",
  [MaturityRating.ADULT]: "18+",
};

const RATINGS: { value: RatingValue; label: string; path: string }[] = [
  { value: RatingValue.THUMBS_DOWN, label: "Not for me", path: ICONS.thumbDown },
  { value: RatingValue.THUMBS_UP, label: "I like this", path: ICONS.thumbUp },
  { value: RatingValue.DOUBLE_THUMBS_UP, label: "Love this!", path: ICONS.heart },
];

function ratingButtons(contentId: string, onRated: () => void): HTMLElement {
  const profileId = session.profile?.profileId ?? "";
  const status = h("span", { class: "rating-status muted", "aria-live": "polite" });
  let current: RatingValue = RatingValue.UNSPECIFIED;
  const buttons = RATINGS.map((r) =>
    h(
      "button",
      {
        type: "button",
        class: "icon-btn rate-btn",
        "aria-pressed": "false",
        "aria-label": r.label,
        title: r.label,
        dataset: { rating: RatingValue[r.value] },
        onclick: async () => {
          const previous = current;
          const next = current === r.value ? RatingValue.UNSPECIFIED : r.value;
          show(next);
          try {
            if (next === RatingValue.UNSPECIFIED) await api.feedback.removeRating({ profileId, contentId });
            else await api.feedback.rateContent({ profileId, contentId, value: next });
            status.textContent = next === RatingValue.UNSPECIFIED ? "Rating removed" : `Rated: ${r.label}`;
            onRated();
          } catch (err) {
            show(previous);
            const f = friendlyError(err);
            toast(`${f.title}: ${f.detail}`, "error");
          }
        },
      },
      icon(r.path),
      r.value === RatingValue.DOUBLE_THUMBS_UP
        ? h("span", { class: "double", "aria-hidden": "true" }, "2")
        : null,
    ),
  );
  const show = (value: RatingValue) => {
    current = value;
    buttons.forEach((b, i) => {
      b.setAttribute("aria-pressed", String(RATINGS[i]?.value === value));
    });
  };
  // The profile's current rating, if any (newest first; a page is enough for a prototype).
  api.feedback
    .getUserRatings({ profileId, pageSize: 100 })
    .then((res) => {
      const mine = res.ratings.find((r) => r.contentId === contentId);
      if (mine) show(mine.value);
    })
    .catch(() => undefined);
  return h("div", { class: "rating", role: "group", "aria-label": "Rate this title" }, buttons, status);
}

/** The title's score, and `refresh` to read it again (the counts follow each rating at once). */
function communityScore(contentId: string): { el: HTMLElement; refresh: () => void } {
  const el = h("span", { class: "score" });
  let asked = 0;
  const refresh = () => {
    const mine = ++asked;
    api.feedback
      .getContentRatings({ contentId })
      .then((res) => {
        if (mine !== asked) return; // a later read is under way: an older answer must not win
        const total = Number(res.thumbsDownCount + res.thumbsUpCount + res.doubleThumbsUpCount);
        el.textContent =
          total > 0
            ? `${Math.round(res.score)}% liked it · ${total} ${total === 1 ? "rating" : "ratings"}`
            : "";
      })
      .catch(() => undefined);
  };
  refresh();
  return { el, refresh };
}

function episodes(content: Content): HTMLElement | null {
  if (content.type !== ContentType.SERIES || content.seasons.length === 0) return null;
  const list = h("ol", { class: "episodes" });
  const draw = (index: number) => {
    const season = content.seasons[index];
    list.replaceChildren(
      ...(season?.episodes ?? []).map((ep) =>
        h(
          "li",
          null,
          h(
            "a",
            { class: "episode", href: `/watch/${content.contentId}?episode=${ep.episodeId}` },
            h("span", { class: "ep-num" }, String(ep.episodeNumber)),
            h(
              "span",
              { class: "ep-body" },
              h("span", { class: "ep-title" }, ep.title),
              h("span", { class: "ep-synopsis" }, ep.synopsis),
            ),
            h(
              "span",
              { class: "ep-time" },
              ep.duration ? formatRuntime(Number(durationMs(ep.duration)) / 1000) : "",
            ),
            ep.media ? null : h("span", { class: "tag" }, "Coming soon"),
          ),
        ),
      ),
    );
  };
  const select = h(
    "select",
    { "aria-label": "Season", class: "season-select" },
    content.seasons.map((s, i) => h("option", { value: String(i) }, s.title || `Season ${s.seasonNumber}`)),
  );
  select.addEventListener("change", () => draw(Number(select.value)));
  draw(0);
  return h(
    "section",
    { class: "episodes-section", "aria-labelledby": "episodes-h" },
    h(
      "div",
      { class: "section-head" },
      h("h2", { id: "episodes-h" }, "Episodes"),
      content.seasons.length > 1 ? select : null,
    ),
    list,
  );
}

/**
 * A pointer resting on a play link (or keyboard focus on it) shows the intent to play before the
 * click lands: the session is opened then, so StreamContent is done or under way when the player
 * screen needs it.
 */
function openOnIntent(root: HTMLElement, contentId: string): void {
  const early = (event: Event) => {
    const link = (event.target as Element | null)?.closest?.("a[href^='/watch/']");
    if (!(link instanceof HTMLAnchorElement)) return;
    openSessionEarly(contentId, new URL(link.href).searchParams.get("episode") ?? "");
  };
  root.addEventListener("pointerover", early);
  root.addEventListener("focusin", early);
  root.addEventListener("pointerdown", early);
}

export async function detailsScreen(contentId: string): Promise<void> {
  const main = shell({ member: true, onSearch: searchHandler() });
  preloadPlayer();
  const page = h("article", { class: "details skeleton-page", "aria-busy": "true" });
  page.append(
    h("div", { class: "details-hero skeleton" }),
    h(
      "div",
      { class: "details-body" },
      h("div", { class: "line skeleton" }),
      h("div", { class: "line short skeleton" }),
    ),
  );
  main.appendChild(page);
  let content: Content | undefined;
  try {
    content = await getTitle(contentId);
    if (!content) throw new Error("This title is not available.");
  } catch (err) {
    main.replaceChildren(titleUnavailableState(err, () => void detailsScreen(contentId)));
    return;
  }
  const profileId = session.profile?.profileId ?? "";
  const year = content.releaseDate.slice(0, 4);
  const runtime = content.duration ? formatRuntime(Number(durationMs(content.duration)) / 1000) : "";
  const play = playButton(content);
  const progressHost = h("div", { class: "resume-host" });
  play.resume.then((at) => {
    if (!at || at.durationSeconds <= 0) return;
    progressHost.replaceChildren(
      h(
        "div",
        { class: "resume" },
        h(
          "div",
          { class: "progress" },
          h("div", { style: `width:${Math.round((at.positionSeconds / at.durationSeconds) * 100)}%` }),
        ),
        h("span", { class: "muted" }, `${formatRuntime(at.durationSeconds - at.positionSeconds)} left`),
      ),
    );
  });
  const backdrop = content.artwork?.backdropUrl;
  const genres = await api.content
    .getGenres({})
    .then((r) => new Map(r.genres.map((g) => [g.genreId, g.name])))
    .catch(() => new Map<string, string>());
  const similar = h("div", { class: "rows" });
  const score = communityScore(contentId);
  page.removeAttribute("aria-busy");
  page.classList.remove("skeleton-page");
  replace(
    page,
    h(
      "div",
      { class: "details-hero", style: `--hue:${hueOf(contentId)}` },
      backdrop ? heroImage(backdrop) : null,
      h(
        "div",
        { class: "details-head" },
        h("div", { class: "details-poster" }, posterArt(content, true)),
        h(
          "div",
          { class: "details-info" },
          h("h1", null, content.title),
          h(
            "p",
            { class: "meta" },
            [
              year,
              MATURITY_LABEL[content.maturityRating] ?? "",
              runtime,
              content.type === ContentType.SERIES
                ? `${content.seasons.length} season${content.seasons.length === 1 ? "" : "s"}`
                : "",
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          h("p", { class: "genres" }, content.genreIds.map((g) => genres.get(g) ?? g).join(", ")),
          progressHost,
          h(
            "div",
            { class: "actions" },
            play.el,
            myListButton(content),
            ratingButtons(contentId, score.refresh),
          ),
          score.el,
          h("p", { class: "synopsis" }, content.synopsis),
          content.cast.length
            ? h(
                "p",
                { class: "cast" },
                h("span", { class: "muted" }, "Cast & crew: "),
                content.cast
                  .slice(0, 8)
                  .map((c) => `${c.name}${c.role ? ` (${c.role})` : ""}`)
                  .join(", "),
              )
            : null,
        ),
      ),
    ),
    episodes(content),
    similar,
  );
  similar.appendChild(
    row({
      id: "similar",
      title: "More like this",
      empty: "No similar titles yet.",
      async load() {
        const res = await api.recommendation.getSimilarContent({ contentId, pageSize: 20, profileId });
        return (await getTitles(res.items.map((i) => i.contentId))).map((c) => ({ content: c }));
      },
    }),
  );
  enableRowKeys(similar);
  openOnIntent(page, contentId);
  focusMain(main);
}
