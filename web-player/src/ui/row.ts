/**
 * A titled, horizontally scrolling row of poster cards. Arrow keys move focus
 * along a row (Left/Right, Home/End) and between rows (Up/Down, same column).
 */
import type { Content } from "@marquee/sdk/browser";
import { h, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { preloadPlayer } from "../player/preload.js";
import { type CardExtras, posterCard, skeletonCard } from "./poster.js";

export interface RowItem {
  content: Content;
  extras?: CardExtras;
}

export interface RowOptions {
  title: string;
  /** Loads the row's items; called once (when the row scrolls into view if `lazy`). */
  load: () => Promise<RowItem[]>;
  /** Shown when the row loads empty; the row is hidden when undefined. */
  empty?: string;
  lazy?: boolean;
  id?: string;
}

export function row(opts: RowOptions): HTMLElement {
  const list = h("ul", { class: "row-list", role: "list" });
  const headingId = `row-${Math.random().toString(36).slice(2, 9)}`;
  const section = h(
    "section",
    { class: "row", "aria-labelledby": headingId, dataset: { row: opts.id ?? opts.title } },
    h("h2", { id: headingId, class: "row-title" }, opts.title),
    list,
  );
  section.setAttribute("aria-busy", "true");
  for (let i = 0; i < 7; i++) list.appendChild(h("li", null, skeletonCard()));

  const run = async () => {
    try {
      const items = await opts.load();
      section.removeAttribute("aria-busy");
      if (items.length === 0) {
        if (opts.empty === undefined) {
          section.hidden = true;
          return;
        }
        replace(list, h("li", { class: "row-empty" }, opts.empty));
        return;
      }
      replace(
        list,
        items.map((item) => h("li", null, posterCard(item.content, item.extras))),
      );
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
