/**
 * A title's main action: Play; Resume once the profile stopped part-way (the
 * link then opens the episode it stopped in); "Coming soon" with no link when
 * the title has no media to play.
 */
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { Content } from "@marquee/sdk/browser";
import { api, session } from "../lib/api.js";
import { h, ICONS, icon } from "../lib/dom.js";

/** Where the profile stopped in a title it can resume. */
export interface ResumePoint {
  positionSeconds: number;
  durationSeconds: number;
}

/** Below this far into a title there is nothing to resume. */
const RESUME_FROM_SECONDS = 5;

export function playButton(content: Pick<Content, "contentId" | "playable">): {
  el: HTMLElement;
  /** Settles once the label is final: where to resume from, or undefined for a plain Play. */
  resume: Promise<ResumePoint | undefined>;
} {
  if (!content.playable) {
    return {
      el: h("span", { class: "tag tag-soon", "data-state": "coming-soon" }, "Coming soon"),
      resume: Promise.resolve(undefined),
    };
  }
  const { contentId } = content;
  const label = h("span", null, "Play");
  const el = h(
    "a",
    { class: "btn btn-primary", href: `/watch/${contentId}`, "data-action": "play" },
    icon(ICONS.play),
    label,
  );
  const resume = api.streaming
    .getPlaybackPosition({ profileId: session.profile?.profileId ?? "", contentId })
    .then((res): ResumePoint | undefined => {
      const p = res.progress;
      if (!p?.position || p.completed) return undefined;
      const positionSeconds = Number(durationMs(p.position)) / 1000;
      if (positionSeconds < RESUME_FROM_SECONDS) return undefined;
      label.textContent = "Resume";
      if (p.episodeId) el.setAttribute("href", `/watch/${contentId}?episode=${p.episodeId}`);
      return { positionSeconds, durationSeconds: p.duration ? Number(durationMs(p.duration)) / 1000 : 0 };
    })
    .catch(() => undefined);
  return { el, resume };
}
