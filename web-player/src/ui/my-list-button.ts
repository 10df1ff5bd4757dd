/** A toggle that puts a title on My List or takes it off, in step with every other toggle of the title. */
import type { Content } from "@marquee/sdk/browser";
import { h, ICONS, icon } from "../lib/dom.js";
import { friendlyError } from "../lib/errors.js";
import { myListIds, onMyListChange, setInMyList } from "../lib/my-list.js";
import { toast } from "./shell.js";

export interface MyListButtonOptions {
  /** A round icon button over a card, or a labelled button (details page). */
  compact?: boolean;
}

export function myListButton(
  content: Pick<Content, "contentId" | "title">,
  opts: MyListButtonOptions = {},
): HTMLButtonElement {
  const button = h("button", {
    type: "button",
    class: opts.compact ? "my-list-toggle" : "btn btn-secondary my-list-toggle-wide",
    "aria-pressed": "false",
    dataset: { action: "my-list", contentId: content.contentId },
  });
  const show = (on: boolean) => {
    button.setAttribute("aria-pressed", String(on));
    const label = on ? `Remove ${content.title} from My List` : `Add ${content.title} to My List`;
    button.title = label;
    button.setAttribute("aria-label", label);
    button.replaceChildren(icon(on ? ICONS.check : ICONS.plus), opts.compact ? "" : "My List");
  };
  show(false);
  myListIds().then(
    (ids) => show(ids.includes(content.contentId)),
    () => undefined,
  );
  // Changes come after a click, when every toggle is on the page: one that is not has been left.
  const stop = onMyListChange((ids) => {
    if (!button.isConnected) stop();
    else show(ids.includes(content.contentId));
  });
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    event.stopPropagation();
    const on = button.getAttribute("aria-pressed") !== "true";
    button.disabled = true;
    try {
      await setInMyList(content.contentId, on);
    } catch (err) {
      const f = friendlyError(err);
      toast(`${f.title}: ${f.detail}`, "error");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
