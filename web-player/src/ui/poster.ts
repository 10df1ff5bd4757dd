/** Poster cards: fixed 2:3 box (no layout jump), lazy image, a drawn fallback when there is no artwork. */
import type { Content } from "@marquee/sdk/browser";
import { h } from "../lib/dom.js";

/** A stable hue from an id, for drawn posters. */
export function hueOf(id: string): number {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 360;
}

export function posterArt(
  content: Pick<Content, "contentId" | "title" | "artwork">,
  eager = false,
): HTMLElement {
  const url = content.artwork?.posterUrl;
  const hue = hueOf(content.contentId);
  const box = h(
    "div",
    {
      class: "poster-art",
      style: `--hue:${hue}`,
    },
    h("span", { class: "poster-fallback", "aria-hidden": "true" }, content.title),
  );
  if (url) {
    const img = h("img", {
      src: url,
      alt: "",
      loading: eager ? "eager" : "lazy",
      decoding: "async",
      width: "200",
      height: "300",
    });
    img.addEventListener("load", () => box.classList.add("loaded"));
    img.addEventListener("error", () => img.remove());
    box.appendChild(img);
  }
  return box;
}

export interface CardExtras {
  /** 0..1 watched, shows a progress bar (Continue Watching). */
  progress?: number | undefined;
  href?: string | undefined;
  subtitle?: string | undefined;
}

export function posterCard(content: Content, extras: CardExtras = {}): HTMLElement {
  const year = content.releaseDate.slice(0, 4);
  const href = extras.href ?? `/title/${content.contentId}`;
  return h(
    "a",
    {
      class: "card",
      href,
      "aria-label": `${content.title}${year ? ` (${year})` : ""}${extras.subtitle ? `, ${extras.subtitle}` : ""}${content.playable ? "" : ", coming soon"}`,
      dataset: { contentId: content.contentId },
    },
    posterArt(content),
    extras.progress !== undefined
      ? h(
          "div",
          { class: "progress", "aria-hidden": "true" },
          h("div", { style: `width:${Math.round(Math.min(1, Math.max(0, extras.progress)) * 100)}%` }),
        )
      : null,
    extras.subtitle ? h("span", { class: "card-sub" }, extras.subtitle) : null,
    content.playable ? null : h("span", { class: "tag tag-soon card-soon" }, "Coming soon"),
  );
}

/** A grey card of the same size, shimmering while a row loads. */
export function skeletonCard(): HTMLElement {
  return h("div", { class: "card skeleton", "aria-hidden": "true" }, h("div", { class: "poster-art" }));
}

/** A decorative backdrop: invisible until loaded, removed when it fails (the gradient stays). */
export function heroImage(url: string): HTMLImageElement {
  const img = h("img", { class: "hero-img", src: url, alt: "", decoding: "async" });
  img.addEventListener("load", () => img.classList.add("loaded"));
  img.addEventListener("error", () => img.remove());
  return img;
}
