import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { decodePageToken, encodePageToken, requireProfile, type TitleCatalog } from "@marquee/kit";
import { MyListItemSchema, type UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { z } from "zod";
import { ownProfile } from "../ownership.js";
import { MAX_MY_LIST } from "../rules.js";
import type { ProfileStore } from "../store.js";
import type { MyListEntry, MyListStore } from "./my-list-store.js";

type MyListRpc = "addToMyList" | "removeFromMyList" | "listMyList";

export interface MyListDeps {
  store: Pick<ProfileStore, "getProfile"> & MyListStore;
  catalog: TitleCatalog;
}

const DEFAULT_PAGE = 50;
const cursorSchema = z.object({ t: z.number().int().nonnegative(), c: z.uuid() });

const toItem = (e: MyListEntry) =>
  create(MyListItemSchema, { contentId: e.contentId, addTime: timestampFromDate(e.addTime) });

/**
 * The profile a My List call names: one of the caller's own profiles (another
 * account's is "not found") and the one their session selected, so a kids
 * profile never reads or fills an adult profile's list.
 */
async function listOwner(store: Pick<ProfileStore, "getProfile">, ctx: HandlerContext, profileId: string) {
  const profile = await ownProfile(store, ctx, profileId);
  requireProfile(ctx, profile.profileId);
  return profile;
}

/** My List: titles a profile keeps to watch later, at most MAX_MY_LIST, only ones it may see. */
export function myListHandlers(deps: MyListDeps): Pick<ServiceImpl<typeof UserService>, MyListRpc> {
  const { store, catalog } = deps;
  return {
    async addToMyList(req, ctx) {
      const profile = await listOwner(store, ctx, req.profileId);
      if (!(await catalog.visible(req.contentId, ctx))) {
        throw new ConnectError(`no title ${req.contentId} that this profile can watch`, Code.NotFound);
      }
      const added = await store.addToMyList(
        profile.profileId,
        { contentId: req.contentId, addTime: new Date() },
        MAX_MY_LIST,
      );
      if (added.outcome === "full") {
        throw new ConnectError(
          `My List holds at most ${MAX_MY_LIST} titles; remove one before adding another`,
          Code.ResourceExhausted,
        );
      }
      return { item: toItem(added.entry) };
    },

    async removeFromMyList(req, ctx) {
      const profile = await listOwner(store, ctx, req.profileId);
      await store.removeFromMyList(profile.profileId, req.contentId);
      return {};
    },

    async listMyList(req, ctx) {
      const profile = await listOwner(store, ctx, req.profileId);
      const size = req.pageSize || DEFAULT_PAGE;
      const cursor = decodePageToken(req.pageToken, cursorSchema);
      const after = cursor && { addTime: new Date(cursor.t), contentId: cursor.c };
      // One more than the page tells whether another page follows.
      const entries = await store.listMyList(profile.profileId, size + 1, after);
      const page = entries.slice(0, size);
      const last = page.at(-1);
      // Checked at every showing: the cap may have been lowered, or a title withdrawn, since it was added.
      const visible = await Promise.all(page.map((e) => catalog.visible(e.contentId, ctx)));
      return {
        items: page.filter((_, i) => visible[i]).map(toItem),
        nextPageToken:
          entries.length > size && last
            ? encodePageToken({ t: last.addTime.getTime(), c: last.contentId })
            : "",
      };
    },
  };
}
