/** The page frame: header (logo, nav, search, profile menu), main area, toasts. */

import { memberApi, session } from "../lib/api.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { navigate } from "../nav.js";

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
  const kids = opts.member === true && profile?.kids === true;
  // The kids look (kids.css) covers the whole page, the background behind the shell included.
  document.documentElement.classList.toggle("kids", kids);
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
      h(
        "a",
        { class: "logo", href: "/", "aria-label": kids ? "Marquee Kids home" : "Marquee home" },
        "MARQUEE",
        kids ? h("span", { class: "kids-badge" }, "Kids") : null,
      ),
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
      profileMenu(),
    );
  } else {
    header = h(
      "header",
      { class: "topbar plain" },
      h("a", { class: "logo", href: "/" }, "MARQUEE"),
      session.signedIn ? profileMenu() : null,
    );
  }
  replace(app(), header, main, h("div", { class: "toasts", role: "status", "aria-live": "polite" }));
  return main;
}

/** Ends the session on the server and in this browser, then shows sign-in. */
export async function signOut(): Promise<void> {
  const refreshToken = session.current?.tokens.refreshToken;
  if (refreshToken) await memberApi.user.logout({ refreshToken }).catch(() => undefined);
  session.signOut();
  navigate("/signin", { replace: true });
}

/**
 * The header's menu on every signed-in page: the profile (or the member, before one is picked)
 * with "Switch profile", "Account" and "Sign out". A popover: Escape, a click outside or a
 * choice closes it, and focus goes back to its button.
 */
function profileMenu(): HTMLElement {
  const profile = session.profile;
  const name = profile?.name ?? session.current?.user.name ?? "";
  const first = h("a", { class: "menu-item", href: "/profiles" }, "Switch profile");
  const menu = h(
    "div",
    { id: "profile-menu", class: "profile-menu", popover: "auto" },
    h("p", { class: "profile-menu-name" }, name),
    h(
      "ul",
      null,
      h("li", null, first),
      h("li", null, h("a", { class: "menu-item", href: "/account" }, "Account")),
      h(
        "li",
        null,
        h("button", { class: "menu-item", type: "button", onclick: () => void signOut() }, "Sign out"),
      ),
    ),
  );
  const button = h(
    "button",
    {
      type: "button",
      class: "profile-button",
      popovertarget: menu.id,
      "aria-controls": menu.id,
      "aria-expanded": "false",
      title: "Profile and account",
    },
    avatar(profile?.avatar ?? "", name, "sm"),
    h("span", { class: "sr-only" }, `${name}: profile and account menu`),
  );
  menu.addEventListener("toggle", (event) => {
    const open = (event as ToggleEvent).newState === "open";
    button.setAttribute("aria-expanded", String(open));
    if (open) first.focus();
  });
  return h("div", { class: "profile" }, button, menu);
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
