/**
 * The selected profile's My List for this page's life: read once (every page
 * of ListMyList), then kept in step with this tab's adds and removes, which
 * listeners hear about (the home row, every toggle button of the title).
 */
import { api, session } from "./api.js";

type Listener = (ids: readonly string[]) => void;

let loaded: { profileId: string; ids: Promise<string[]> } | undefined;
const listeners = new Set<Listener>();

async function fetchAll(profileId: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken = "";
  do {
    const page = await api.user.listMyList({ profileId, pageSize: 100, pageToken });
    ids.push(...page.items.map((i) => i.contentId));
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return ids;
}

const profileId = () => session.profile?.profileId ?? "";

/** The list's titles, most recently added first. */
export function myListIds(): Promise<string[]> {
  const id = profileId();
  if (loaded?.profileId !== id) {
    const ids = fetchAll(id);
    loaded = { profileId: id, ids };
    // A failed read is tried again by the next caller.
    ids.catch(() => {
      if (loaded?.ids === ids) loaded = undefined;
    });
  }
  return loaded.ids;
}

/** Calls `fn` after every change of the list in this tab; returns how to stop. */
export function onMyListChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Adds the title (`on`) or removes it; resolves once the service has the change. */
export async function setInMyList(contentId: string, on: boolean): Promise<void> {
  const id = profileId();
  if (on) await api.user.addToMyList({ profileId: id, contentId });
  else await api.user.removeFromMyList({ profileId: id, contentId });
  const before = await myListIds().catch(() => []);
  const ids = [...(on ? [contentId] : []), ...before.filter((c) => c !== contentId)];
  loaded = { profileId: id, ids: Promise.resolve(ids) };
  for (const fn of listeners) fn(ids);
}
