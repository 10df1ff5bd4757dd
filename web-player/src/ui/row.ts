/**
 * A titled, horizontally scrolling row of poster cards, each with its My List
 * toggle. Arrow keys move focus along a row (Left/Right, Home/End) and
 * between rows (Up/Down, same column); for a mouse, previous/next buttons
 * page along it (each hidden at its end); touch scrolls it.
 */
import type { Content } from "@marquee/sdk/browser";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { preloadPlayer } from "../player/preload.js";
import { myListButton } from "./my-list-button.js";
import { type CardExtras, posterCard, skeletonCard } from "./poster.js";

export interface RowItem {
  content: Content;
  extras?: CardExtras;
}

/**
 * What a row loaded: its first items, those that come after them (shown when
 * they arrive, so the first screenful need not wait for them), and the row's
 * title when what loaded calls for another (a fallback, say).
 */
export interface RowContent {
  items: RowItem[];
  more?: Promise<RowItem[]> | undefined;
  title?: string | undefined;
}

const slot = (item: RowItem) =>
  h(
    "li",
    { class: "card-slot" },
    posterCard(item.content, item.extras),
    myListButton(item.content, { compact: true }),
  );

export interface RowOptions {
  title: string;
  /** Loads the row's items; called once (when the row scrolls into view if `lazy`). */
  load: () => Promise<RowItem[] | RowContent>;
  /** Shown when the row loads empty; the row is hidden when undefined. */
  empty?: string;
  lazy?: boolean;
  id?: string;
}

/** Previous/next buttons over a row's list: a page of cards per click, each hidden at its end. */
function rowArrows(list: HTMLElement, title: () => string): { el: HTMLElement[]; update: () => void } {
  const arrow = (dir: -1 | 1) =>
    h(
      "button",
      {
        type: "button",
        class: `row-arrow row-arrow-${dir < 0 ? "prev" : "next"}`,
        "aria-controls": list.id,
        hidden: true,
        onclick: () => {
          const page = Math.max(list.clientWidth * 0.85, 100);
          list.scrollBy({ left: dir * page, behavior: "smooth" });
        },
      },
      icon(dir < 0 ? ICONS.chevronLeft : ICONS.chevronRight),
    );
  const [prev, next] = [arrow(-1), arrow(1)];
  const update = () => {
    prev.setAttribute("aria-label", `Previous titles in ${title()}`);
    next.setAttribute("aria-label", `More titles in ${title()}`);
    const end = list.scrollWidth - list.clientWidth;
    prev.hidden = list.scrollLeft <= 1;
    next.hidden = list.scrollLeft >= end - 1;
  };
  list.addEventListener("scroll", update, { passive: true });
  new ResizeObserver(update).observe(list);
  // Measured again as a mouse arrives: by then the cards have surely been laid out.
  list.parentElement?.addEventListener("pointerenter", update);
  return { el: [prev, next], update };
}

export function row(opts: RowOptions): HTMLElement {
  const headingId = `row-${Math.random().toString(36).slice(2, 9)}`;
  const list = h("ul", { class: "row-list", role: "list", id: `${headingId}-list` });
  const heading = h("h2", { id: headingId, class: "row-title" }, opts.title);
  const track = h("div", { class: "row-track" }, list);
  const arrows = rowArrows(list, () => heading.textContent ?? "");
  track.append(...arrows.el);
  const section = h(
    "section",
    { class: "row", "aria-labelledby": headingId, dataset: { row: opts.id ?? opts.title } },
    heading,
    track,
  );
  section.setAttribute("aria-busy", "true");
  for (let i = 0; i < 7; i++) list.appendChild(h("li", null, skeletonCard()));

  const run = async () => {
    try {
      const loaded = await opts.load();
      const content: RowContent = Array.isArray(loaded) ? { items: loaded } : loaded;
      if (content.title) heading.textContent = content.title;
      // With nothing to show first, the row waits for the rest before it can tell it is empty.
      const items = content.items.length > 0 || !content.more ? content.items : await content.more;
      section.removeAttribute("aria-busy");
      if (items.length === 0) {
        if (opts.empty === undefined) {
          section.hidden = true;
          return;
        }
        replace(list, h("li", { class: "row-empty" }, opts.empty));
        return;
      }
      replace(list, items.map(slot));
      requestAnimationFrame(arrows.update);
      if (content.more && items === content.items) {
        content.more.then(
          (rest) => {
            list.append(...rest.map(slot));
            arrows.update();
          },
          // The first cards stand on their own; the rest failing leaves the row as it is.
          () => undefined,
        );
      }
      // A row of titles is one step from Play: have the player code ready by then.
      preloadPlayer();
    } catch (err) {
      section.removeAttribute("aria-busy");
      const f = friendlyError(err);
      replace(
        list,
        h("li", { class: "row-empty row-error", role: "status" }, h("strong", null, f.title), " ", f.detail),
      );
    }
  };

  if (opts.lazy && "IntersectionObserver" in window) {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          observer.disconnect();
          void run();
        }
      },
      { rootMargin: "400px 0px" },
    );
    observer.observe(section);
  } else void run();
  return section;
}

/** Arrow-key navigation over every `.row-list` under `root`. */
export function enableRowKeys(root: HTMLElement): void {
  root.addEventListener("keydown", (event) => {
    const card = (event.target as Element).closest?.(".row-list .card");
    if (!(card instanceof HTMLElement)) return;
    const li = card.parentElement;
    const list = li?.parentElement;
    if (!li || !list) return;
    const items = [...list.children];
    const index = items.indexOf(li);
    const focusIn = (ul: Element | null | undefined, i: number) => {
      const cards = ul ? [...ul.querySelectorAll<HTMLElement>(":scope > li > .card")] : [];
      const target = cards[Math.max(0, Math.min(cards.length - 1, i))];
      if (target) {
        event.preventDefault();
        target.focus();
        target.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    };
    const lists = [...root.querySelectorAll(".row:not([hidden]) .row-list")];
    const at = lists.indexOf(list);
    switch (event.key) {
      case "ArrowRight":
        focusIn(list, index + 1);
        break;
      case "ArrowLeft":
        focusIn(list, index - 1);
        break;
      case "Home":
        focusIn(list, 0);
        break;
      case "End":
        focusIn(list, items.length - 1);
        break;
      case "ArrowDown":
        focusIn(lists[at + 1], index);
        break;
      case "ArrowUp":
        focusIn(lists[at - 1], index);
        break;
    }
  });
}
