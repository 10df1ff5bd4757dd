/** Form helpers: labelled fields, field-level errors from InvalidArgument violations, busy buttons. */
import { fieldViolations } from "@marquee/sdk/browser";
import { h } from "../lib/dom.js";
import { type FriendlyError, friendlyError } from "../lib/errors.js";

export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string,
): HTMLElement {
  const id = input.id || `f-${input.name}`;
  input.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hintEl,
    h("small", { id: `${id}-error`, class: "field-error", "aria-live": "polite" }),
  );
}

/**
 * Shows an error under the form, and under each field a violation names; `friendly` words it
 * when the screen knows better than the code alone (a wrong password, a declined card).
 */
export function showFormError(
  form: HTMLFormElement,
  err: unknown,
  friendly: FriendlyError = friendlyError(err),
): void {
  for (const el of form.querySelectorAll<HTMLElement>(".field-error")) el.textContent = "";
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const violations = fieldViolations(err);
  for (const v of violations) {
    const name = v.field.split(/[.[]/)[0] ?? "";
    const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const input = form.querySelector<HTMLInputElement>(`[name="${camel}"]`);
    const out = input ? form.querySelector(`#${CSS.escape(input.id)}-error`) : null;
    if (input && out) {
      out.textContent = v.message;
      input.setAttribute("aria-invalid", "true");
    }
  }
  const box = form.querySelector<HTMLElement>(".form-error");
  if (box) {
    box.textContent =
      violations.length > 0 ? "Please fix the fields marked above." : `${friendly.title}: ${friendly.detail}`;
    box.hidden = false;
  }
}

export function formError(): HTMLElement {
  return h("p", { class: "form-error", role: "alert", hidden: true });
}

/** Runs an async submit with the button disabled and a busy label. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = before;
  }
}
