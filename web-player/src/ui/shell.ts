/** The page frame: header (logo, nav, search, profile menu), main area, toasts. */

import { session } from "../lib/api.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";

const app = () => document.getElementById("app") as HTMLElement;

export interface ShellOptions {
  /** Shows the search field and the profile menu (a profile is selected). */
  member?: boolean;
  searchValue?: string;
  onSearch?: (query: string) => void;
  active?: "home" | "search" | "account";
}

/** Renders the frame and returns the main element to fill. */
export function shell(opts: ShellOptions = {}): HTMLElement {
  const main = h("main", { id: "main", class: "main", tabindex: "-1" });
  const profile = session.profile;
  let header: HTMLElement;
  if (opts.member && profile) {
    const input = h("input", {
      type: "search",
      id: "search",
      name: "q",
      placeholder: "Titles, people, genres",
      "aria-label": "Search titles",
      autocomplete: "off",
      value: opts.searchValue ?? "",
    });
    input.addEventListener("input", () => opts.onSearch?.(input.value));
    input.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && input.value) {
        input.value = "";
        opts.onSearch?.("");
      }
    });
    header = h(
      "header",
      { class: "topbar" },
      h("a", { class: "logo", href: "/", "aria-label": "Marquee home" }, "MARQUEE"),
      h(
        "nav",
        { "aria-label": "Main" },
        h("a", { href: "/", "aria-current": opts.active === "home" ? "page" : undefined }, "Home"),
        h(
          "a",
          { href: "/account", "aria-current": opts.active === "account" ? "page" : undefined },
          "Account",
        ),
      ),
      h("label", { class: "search-box" }, icon(ICONS.search), input),
      h(
        "a",
        { class: "avatar-link", href: "/profiles", title: "Switch profile" },
        avatar(profile.avatar, profile.name, "sm"),
        h("span", { class: "sr-only" }, `Profile ${profile.name}, switch profile`),
      ),
    );
  } else {
    header = h("header", { class: "topbar plain" }, h("a", { class: "logo", href: "/" }, "MARQUEE"));
  }
  replace(app(), header, main, h("div", { class: "toasts", role: "status", "aria-live": "polite" }));
  return main;
}

/** A full-screen surface without the header (the player). */
export function bare(): HTMLElement {
  const main = h("main", { id: "main", class: "bare", tabindex: "-1" });
  replace(app(), main, h("div", { class: "toasts", role: "status", "aria-live": "polite" }));
  return main;
}

const AVATAR_COLORS = [
  "#e50914",
  "#2f80ed",
  "#27ae60",
  "#f2994a",
  "#9b51e0",
  "#eb5757",
  "#00a8a8",
  "#d4a017",
];

export const AVATARS = ["red", "blue", "green", "orange", "purple", "pink", "teal", "gold"] as const;

export function avatar(key: string, name: string, size: "sm" | "lg" = "lg"): HTMLElement {
  const i = Math.max(0, AVATARS.indexOf(key as (typeof AVATARS)[number]));
  return h(
    "span",
    { class: `avatar avatar-${size}`, style: `background:${AVATAR_COLORS[i]}`, "aria-hidden": "true" },
    (name.trim()[0] ?? "?").toUpperCase(),
  );
}

export function toast(message: string, kind: "info" | "error" = "info"): void {
  const host = document.querySelector(".toasts");
  if (!host) return;
  const el = h("div", { class: `toast toast-${kind}` }, message);
  host.appendChild(el);
  setTimeout(() => el.remove(), 5000);
}

/** A block explaining a failure, with a retry button when it may help. */
export function errorState(err: unknown, retry?: () => void): HTMLElement {
  const f = friendlyError(err);
  return h(
    "div",
    { class: "state state-error", role: "alert" },
    h("h2", null, f.title),
    h("p", null, f.detail),
    retry && f.retryable ? h("button", { class: "btn", type: "button", onclick: retry }, "Try again") : null,
  );
}

export function emptyState(title: string, detail: string, action?: HTMLElement): HTMLElement {
  return h("div", { class: "state" }, h("h2", null, title), h("p", null, detail), action ?? null);
}

export function spinner(label = "Loading"): HTMLElement {
  return h("div", { class: "spinner", role: "progressbar", "aria-label": label });
}

/** Moves focus to the new screen's heading (or main) after navigation, for screen readers and keyboards. */
export function focusMain(main: HTMLElement): void {
  const heading = main.querySelector<HTMLElement>("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  } else main.focus({ preventScroll: true });
}
