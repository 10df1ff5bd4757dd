/** Search as you type: debounced, the previous request cancelled, results in a poster grid. */
import type { Content } from "@marquee/sdk/browser";
import { Code, ConnectError } from "@marquee/sdk/browser";
import { api } from "../lib/api.js";
import { remember } from "../lib/catalog.js";
import { debounce } from "../lib/debounce.js";
import { h } from "../lib/dom.js";
import { navigate } from "../nav.js";
import { myListButton } from "../ui/my-list-button.js";
import { posterCard, skeletonCard } from "../ui/poster.js";
import { emptyState, errorState, shell } from "../ui/shell.js";

/**
 * Pause after the last key before searching: short, so results land within
 * ~150 ms of it (a search answers in tens of ms); each key also cancels the
 * request in flight, so a fast typist costs the service little.
 */
const SEARCH_PAUSE_MS = 60;

/** The header's search handler: opens the search screen, which then updates in place. */
export function searchHandler(): (query: string) => void {
  return debounce((query: string) => {
    if (query.trim()) navigate(`/search?q=${encodeURIComponent(query)}`);
  }, SEARCH_PAUSE_MS);
}

export function searchScreen(query: URLSearchParams): void {
  const initial = query.get("q") ?? "";
  const results = h("div", { class: "results", "aria-live": "polite" });
  const heading = h("h1", { class: "page-title" }, "Search");
  let controller: AbortController | undefined;

  const run = async (q: string) => {
    controller?.abort();
    const term = q.trim();
    history.replaceState(null, "", term ? `/search?q=${encodeURIComponent(q)}` : "/search");
    if (!term) {
      heading.textContent = "Search";
      results.replaceChildren(emptyState("Find something to watch", "Search by title, actor or director."));
      return;
    }
    heading.textContent = `Results for “${term}”`;
    const mine = new AbortController();
    controller = mine;
    results.setAttribute("aria-busy", "true");
    results.replaceChildren(grid(Array.from({ length: 12 }, () => [skeletonCard()])));
    try {
      const res = await api.content.searchContent(
        { query: term.slice(0, 200), pageSize: 36 },
        { signal: mine.signal },
      );
      if (mine.signal.aborted) return;
      const contents = res.results.flatMap((r) => (r.content ? [r.content] : []));
      contents.forEach(remember);
      results.removeAttribute("aria-busy");
      results.replaceChildren(
        contents.length === 0
          ? emptyState(`No matches for “${term}”`, "Try another spelling, or a title, actor or genre.")
          : grid(contents.map((c: Content) => [posterCard(c), myListButton(c, { compact: true })])),
      );
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.Canceled) return;
      if (mine.signal.aborted) return;
      results.removeAttribute("aria-busy");
      results.replaceChildren(errorState(err, () => void run(q)));
    }
  };
  const debounced = debounce(run, SEARCH_PAUSE_MS);
  // A key makes the results in flight stale at once: they are cancelled then, not when the next search starts.
  const onSearch = (q: string) => {
    controller?.abort();
    debounced(q);
  };
  const main = shell({ member: true, active: "search", searchValue: initial, onSearch });
  main.append(heading, results);
  const input = document.getElementById("search") as HTMLInputElement | null;
  if (input) {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
  void run(initial);
}

function grid(cards: HTMLElement[][]): HTMLElement {
  return h(
    "ul",
    { class: "grid", role: "list" },
    cards.map((c) => h("li", { class: "card-slot" }, ...c)),
  );
}
