/** Who's watching: pick a profile (PIN when locked), or add one (kids, PIN). */
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, MaturityRating, type Profile } from "@marquee/sdk/browser";
import { memberApi, session } from "../lib/api.js";
import { clearCatalogCache } from "../lib/catalog.js";
import { h, ICONS, icon, replace } from "../lib/dom.js";
import { isCode } from "../lib/errors.js";
import { navigate } from "../nav.js";
import { busy, field, formError, showFormError } from "../ui/form.js";
import { AVATARS, avatar, emptyState, errorState, focusMain, shell, signOut, spinner } from "../ui/shell.js";

async function select(profile: Profile, pin: string): Promise<void> {
  const res = await memberApi.user.selectProfile({ profileId: profile.profileId, pin });
  session.selectProfile(
    {
      profileId: profile.profileId,
      name: profile.name,
      avatar: profile.avatar,
      kids: profile.kids,
      pinProtected: profile.pinProtected,
    },
    res.accessToken,
    res.accessTokenExpireTime ? timestampMs(res.accessTokenExpireTime) : Date.now() + 5 * 60_000,
  );
  clearCatalogCache();
  navigate("/", { replace: true });
}

function pinDialog(profile: Profile): HTMLDialogElement {
  const pin = h("input", {
    name: "pin",
    inputmode: "numeric",
    autocomplete: "off",
    maxlength: "4",
    pattern: "[0-9]{4}",
    class: "pin-input",
    required: true,
  });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Unlock");
  const form = h(
    "form",
    { novalidate: true },
    h("h2", null, `Enter the PIN for ${profile.name}`),
    field("4-digit PIN", pin),
    formError(),
    h(
      "div",
      { class: "actions" },
      submit,
      h("button", { class: "btn btn-ghost", type: "button", onclick: () => dialog.close() }, "Cancel"),
    ),
  );
  const dialog = h("dialog", { class: "dialog", "aria-label": `PIN for ${profile.name}` }, form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, "Checking…", async () => {
      try {
        await select(profile, pin.value);
        dialog.close();
      } catch (err) {
        showFormError(form, err);
        pin.select();
      }
    });
  });
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

function createDialog(onCreated: () => void): HTMLDialogElement {
  const name = h("input", { name: "name", required: true, maxlength: "50", autocomplete: "off" });
  const kids = h("input", { type: "checkbox", name: "kids", id: "kids" });
  const pin = h("input", {
    name: "pin",
    inputmode: "numeric",
    maxlength: "4",
    pattern: "[0-9]{4}",
    autocomplete: "off",
  });
  let chosen: string = AVATARS[Math.floor(Math.random() * AVATARS.length)] ?? "red";
  const avatars = h(
    "div",
    { class: "avatar-choices", role: "radiogroup", "aria-label": "Avatar" },
    AVATARS.map((key) =>
      h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": String(key === chosen),
          "aria-label": key,
          onclick: (e: Event) => {
            chosen = key;
            for (const b of avatars.children) b.setAttribute("aria-checked", String(b === e.currentTarget));
          },
        },
        avatar(key, name.value || "?", "sm"),
      ),
    ),
  );
  name.addEventListener("input", () => {
    for (const b of avatars.querySelectorAll(".avatar"))
      b.textContent = (name.value.trim()[0] ?? "?").toUpperCase();
  });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Add profile");
  const form = h(
    "form",
    { novalidate: true },
    h("h2", null, "Add a profile"),
    field("Name", name),
    h("div", { class: "field" }, h("span", { class: "label" }, "Avatar"), avatars),
    h(
      "div",
      { class: "field field-check" },
      kids,
      h(
        "label",
        { for: "kids" },
        "Kids profile ",
        h("small", { class: "muted" }, "(only titles for children)"),
      ),
    ),
    field("PIN (optional)", pin, "4 digits, asked whenever this profile is chosen"),
    formError(),
    h(
      "div",
      { class: "actions" },
      submit,
      h("button", { class: "btn btn-ghost", type: "button", onclick: () => dialog.close() }, "Cancel"),
    ),
  );
  const dialog = h("dialog", { class: "dialog", "aria-label": "Add a profile" }, form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, "Adding…", async () => {
      try {
        await memberApi.user.createProfile({
          userId: session.current?.user.userId ?? "",
          name: name.value.trim(),
          avatar: chosen,
          kids: kids.checked,
          maturityCap: kids.checked ? MaturityRating.KIDS : MaturityRating.UNSPECIFIED,
          ...(pin.value ? { pin: pin.value } : {}),
        });
        dialog.close();
        onCreated();
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  dialog.addEventListener("close", () => dialog.remove());
  return dialog;
}

export async function profilesScreen(): Promise<void> {
  session.clearProfile();
  const main = shell();
  const page = h("div", { class: "profiles-page" }, h("h1", null, "Who's watching?"));
  main.appendChild(page);
  const grid = h("ul", { class: "profile-grid", role: "list" });
  page.appendChild(grid);
  grid.appendChild(h("li", null, spinner("Loading profiles")));
  focusMain(main);
  const reload = () => void profilesScreen();
  let profiles: Profile[];
  try {
    profiles = (await memberApi.user.listProfiles({ userId: session.current?.user.userId ?? "" })).profiles;
  } catch (err) {
    grid.replaceChildren(h("li", null, errorState(err, reload)));
    return;
  }
  const openCreate = () => {
    const d = createDialog(reload);
    document.body.appendChild(d);
    d.showModal();
  };
  replace(
    grid,
    ...profiles.map((p) =>
      h(
        "li",
        null,
        h(
          "button",
          {
            type: "button",
            class: "profile-tile",
            dataset: { profileId: p.profileId },
            onclick: () => {
              if (p.pinProtected) {
                const d = pinDialog(p);
                document.body.appendChild(d);
                d.showModal();
              } else {
                select(p, "").catch((err: unknown) => {
                  if (isCode(err, Code.PermissionDenied)) {
                    const d = pinDialog(p);
                    document.body.appendChild(d);
                    d.showModal();
                  } else page.appendChild(errorState(err));
                });
              }
            },
          },
          avatar(p.avatar, p.name),
          h("span", { class: "profile-name" }, p.name),
          h(
            "span",
            { class: "profile-tags" },
            p.kids ? h("span", { class: "tag" }, "Kids") : null,
            p.pinProtected ? icon(ICONS.lock, "PIN protected") : null,
          ),
        ),
      ),
    ),
    profiles.length < 5
      ? h(
          "li",
          null,
          h(
            "button",
            { type: "button", class: "profile-tile add", onclick: openCreate },
            h("span", { class: "avatar avatar-lg add-avatar", "aria-hidden": "true" }, icon(ICONS.plus)),
            h("span", { class: "profile-name" }, "Add profile"),
          ),
        )
      : null,
  );
  if (profiles.length === 0) {
    page.appendChild(emptyState("No profiles yet", "Add one for each person who watches."));
  }
  page.appendChild(
    h(
      "p",
      { class: "center" },
      h("a", { class: "btn btn-ghost", href: "/account" }, "Account"),
      " ",
      h(
        "button",
        {
          class: "btn btn-ghost",
          type: "button",
          onclick: () => void signOut(),
        },
        "Sign out",
      ),
    ),
  );
}
