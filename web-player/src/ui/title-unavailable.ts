/** A title page that cannot be shown: why, in member words, with the ways on. */
import { h } from "../lib/dom.js";
import { titleUnavailable } from "../lib/errors.js";
import { errorState } from "./shell.js";

/** The title withheld from this profile or unknown, else the error as any other (with `retry`). */
export function titleUnavailableState(err: unknown, retry: () => void): HTMLElement {
  const unavailable = titleUnavailable(err);
  if (!unavailable) return errorState(err, retry);
  return h(
    "div",
    { class: "state state-unavailable", role: "alert" },
    h("h1", null, unavailable.title),
    h("p", null, unavailable.detail),
    h(
      "p",
      { class: "center" },
      unavailable.next.flatMap((step, i) => [
        i > 0 ? " " : "",
        h("a", { class: `btn ${i === 0 ? "btn-primary" : "btn-secondary"}`, href: step.href }, step.label),
      ]),
    ),
  );
}
