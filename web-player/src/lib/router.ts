/**
 * History-API routing: paths like /title/<id> are real URLs (the gateway
 * answers any unknown GET with index.html). A route is a pattern with
 * `:params`; links with `data-link` or plain same-origin <a> are intercepted.
 */
export type Params = Record<string, string>;
export type RouteHandler = (params: Params, query: URLSearchParams) => void | Promise<void>;

interface Route {
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

/** Compiles "/title/:id" into a regular expression and its parameter names. */
export function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path
    .split("/")
    .map((part) => {
      if (part.startsWith(":")) {
        keys.push(part.slice(1));
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { pattern: new RegExp(`^${source}/?$`), keys };
}

/** Matches a path against a compiled route; the decoded parameters, or undefined. */
export function match(route: { pattern: RegExp; keys: string[] }, path: string): Params | undefined {
  const m = route.pattern.exec(path);
  if (!m) return undefined;
  const params: Params = {};
  route.keys.forEach((key, i) => {
    params[key] = decodeURIComponent(m[i + 1] ?? "");
  });
  return params;
}

export class Router {
  readonly #routes: Route[] = [];
  #notFound: RouteHandler = () => {};
  #leave: (() => void) | undefined;

  on(path: string, handler: RouteHandler): this {
    this.#routes.push({ ...compile(path), handler });
    return this;
  }

  otherwise(handler: RouteHandler): this {
    this.#notFound = handler;
    return this;
  }

  /** Registers a cleanup for the current screen (stops a player, timers...), run before the next route. */
  onLeave(cleanup: () => void): void {
    this.#leave = cleanup;
  }

  start(): void {
    window.addEventListener("popstate", () => void this.resolve());
    document.addEventListener("click", (event) => {
      if (event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const a = (event.target as Element | null)?.closest?.("a");
      if (!a || a.target || a.hasAttribute("download")) return;
      const url = new URL(a.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith("/media/")) return;
      event.preventDefault();
      this.navigate(url.pathname + url.search);
    });
    void this.resolve();
  }

  navigate(to: string, { replace = false } = {}): void {
    if (to === location.pathname + location.search && !replace) return;
    if (replace) history.replaceState(null, "", to);
    else history.pushState(null, "", to);
    void this.resolve();
  }

  async resolve(): Promise<void> {
    const leave = this.#leave;
    this.#leave = undefined;
    leave?.();
    const query = new URLSearchParams(location.search);
    for (const route of this.#routes) {
      const params = match(route, location.pathname);
      if (params) {
        await route.handler(params, query);
        return;
      }
    }
    await this.#notFound({}, query);
  }
}
