/**
 * The audio-language, subtitles and subtitle-style menus: media-chrome's
 * menu components (button, menu, radio items) whose choices go to dash.js —
 * setCurrentTrack for audio, setTextTrack for subtitles (dash.js puts the
 * WebVTT cues on the video's native text track, which the browser renders
 * with the ::cue style of captions-style.ts). media-chrome's own captions and
 * audio-track menus are not used: they drive the video's textTracks and
 * audioTracks directly, which dash.js manages itself (and Chromium has no
 * audioTracks). The choice is remembered per profile (track-choice.ts) and
 * applied to every dash.js player before it loads, also after a reconnect.
 */
import type { MediaInfo, MediaPlayerClass } from "dashjs";
import { h, icon } from "../lib/dom.js";
import { applyCaptionStyle } from "./captions-style.js";
import { CUE_SIZES, type CueSize, loadChoice, saveChoice, type TrackChoice } from "./track-choice.js";

const ICON = {
  audio:
    "m12.87 15.07-2.54-2.51.03-.03c1.74-1.94 2.98-4.17 3.71-6.53H17V4h-7V2H8v2H1v1.99h11.17C11.5 7.92 10.44 9.75 9 11.35 8.07 10.32 7.3 9.19 6.69 8h-2c.73 1.63 1.73 3.17 2.98 4.56l-5.09 5.02L4 19l5-5 3.11 3.11zM18.5 10h-2L12 22h2l1.12-3h4.75L21 22h2zm-2.62 7 1.62-4.33L19.12 17z",
  subtitles:
    "M20 4H4c-1.1 0-2 .9-2 2v12c0 1.1.9 2 2 2h16c1.1 0 2-.9 2-2V6c0-1.1-.9-2-2-2M4 12h4v2H4zm10 6H4v-2h10zm6 0h-4v-2h4zm0-4H10v-2h10z",
  style: "M2.5 4v3h5v12h3V7h5V4zm19 5h-9v3h3v7h3v-7h3z",
};

const SIZE_LABEL: Record<CueSize, string> = {
  small: "Small text",
  medium: "Medium text",
  large: "Large text",
  huge: "Huge text",
};
const SOLID = "solid";

export interface TrackMenus {
  /** The buttons, for the control bar. */
  buttons: HTMLElement[];
  /** The menus, children of the media-controller (media-chrome places them above their button). */
  menus: HTMLElement[];
  /** Applies the remembered choice to a dash.js player (initialized, manifest not yet read), then follows its tracks. */
  attach(player: MediaPlayerClass, streamInitialized: string): void;
  dispose(): void;
}

function element(tag: string, attrs: Record<string, string>, ...children: (Node | string)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

function menuButton(id: string, label: string, path: string): HTMLElement {
  return element(
    "media-chrome-menu-button",
    { invoketarget: id, "aria-label": label, class: `track-btn ${id}-btn`, hidden: "" },
    icon(path),
    h("span", { slot: "tooltip-content" }, label),
  );
}

function menu(id: string, label: string): HTMLElement {
  return element("media-chrome-menu", {
    id,
    hidden: "",
    anchor: "auto",
    class: "track-menu",
    "aria-label": label,
  });
}

function item(value: string, label: string, checked: boolean, type = "radio"): HTMLElement {
  const el = element("media-chrome-menu-item", { type, value }, label);
  if (checked) el.setAttribute("aria-checked", "true");
  return el;
}

/** What the member sees for a track: the label ingest wrote (the language in its own words), else its code. */
function labelOf(track: MediaInfo): string {
  return track.labels?.[0]?.text ?? track.lang ?? "Unknown";
}

const menuValue = (menuEl: HTMLElement) => (menuEl as HTMLElement & { value: string }).value;
const checkedValues = (menuEl: HTMLElement) =>
  (menuEl as HTMLElement & { checkedItems: Array<{ value: string }> }).checkedItems.map((i) => i.value);

export function createTrackMenus(profileId: string): TrackMenus {
  let choice: TrackChoice = loadChoice(profileId);
  const removeStyle = applyCaptionStyle(choice);
  const audioMenu = menu("audio-menu", "Audio language");
  const textMenu = menu("subtitles-menu", "Subtitles");
  const styleMenu = menu("subtitle-style-menu", "Subtitle style");
  const audioButton = menuButton("audio-menu", "Audio", ICON.audio);
  const textButton = menuButton("subtitles-menu", "Subtitles", ICON.subtitles);
  const styleButton = menuButton("subtitle-style-menu", "Subtitle style", ICON.style);
  let player: MediaPlayerClass | undefined;

  const remember = (change: Partial<TrackChoice>) => {
    choice = { ...choice, ...change };
    saveChoice(profileId, choice);
  };

  const drawStyle = () =>
    styleMenu.replaceChildren(
      ...CUE_SIZES.map((s) => item(s, SIZE_LABEL[s], choice.size === s)),
      item(SOLID, "Solid background", choice.solid, "checkbox"),
    );

  /** The menus from the player's tracks: a menu with a single choice (or none) is no choice and stays hidden. */
  const draw = () => {
    if (player === undefined) return;
    const audio = player.getTracksFor("audio");
    const current = player.getCurrentTrackFor("audio");
    audioMenu.replaceChildren(
      ...audio.map((t, i) => item(String(i), labelOf(t), current !== null && t.id === current.id)),
    );
    audioButton.hidden = audio.length < 2;
    const text = player.getTracksFor("text");
    const shown = player.isTextEnabled() ? player.getCurrentTextTrackIndex() : -1;
    textMenu.replaceChildren(
      item("off", "Off", shown < 0),
      ...text.map((t, i) => item(String(i), labelOf(t), i === shown)),
    );
    textButton.hidden = text.length === 0;
    styleButton.hidden = text.length === 0;
    textButton.dataset.showing = String(shown >= 0);
  };

  audioMenu.addEventListener("change", () => {
    const track = player?.getTracksFor("audio")[Number(menuValue(audioMenu))];
    if (player === undefined || track === undefined) return;
    player.setCurrentTrack(track);
    remember(track.lang === null ? {} : { audio: track.lang });
  });
  textMenu.addEventListener("change", () => {
    if (player === undefined) return;
    const value = menuValue(textMenu);
    const track = player.getTracksFor("text")[Number(value)];
    if (value === "off" || track === undefined) {
      player.setTextTrack(-1);
      player.enableText(false);
      remember({ text: "off" });
    } else {
      player.enableText(true);
      player.setTextTrack(Number(value));
      remember(track.lang === null ? {} : { text: track.lang });
    }
    textButton.dataset.showing = String(value !== "off");
  });
  styleMenu.addEventListener("change", () => {
    const values = checkedValues(styleMenu);
    const size = CUE_SIZES.find((s) => values.includes(s)) ?? choice.size;
    remember({ size, solid: values.includes(SOLID) });
    applyCaptionStyle(choice);
  });
  drawStyle();

  return {
    buttons: [audioButton, textButton, styleButton],
    menus: [audioMenu, textMenu, styleMenu],
    attach(next, streamInitialized) {
      player = next;
      if (choice.audio !== undefined) next.setInitialMediaSettingsFor("audio", { lang: choice.audio });
      const showText = choice.text !== undefined && choice.text !== "off";
      if (showText) next.setInitialMediaSettingsFor("text", { lang: choice.text as string });
      // dash.js's own memory of the last tracks is per browser, not per profile: ours decides.
      next.updateSettings({
        streaming: { text: { defaultEnabled: showText }, lastMediaSettingsCachingInfo: { enabled: false } },
      });
      next.on(streamInitialized, draw);
      next.on("allTextTracksAdded", draw);
    },
    dispose() {
      removeStyle();
      player = undefined;
    },
  };
}
