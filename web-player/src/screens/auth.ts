/** Sign in and sign up. */
import { api, session, tokensFrom } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { signInError } from "../lib/errors.js";
import { navigate } from "../nav.js";
import { busy, field, formError, showFormError } from "../ui/form.js";
import { focusMain, shell } from "../ui/shell.js";

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua)
    ? "Firefox"
    : /Edg\//.test(ua)
      ? "Edge"
      : /Chrom/.test(ua)
        ? "Chrome"
        : "Browser";
  const os = /Windows/.test(ua)
    ? "Windows"
    : /Mac OS/.test(ua)
      ? "macOS"
      : /Android/.test(ua)
        ? "Android"
        : /Linux/.test(ua)
          ? "Linux"
          : "web";
  return `${browser} on ${os}`;
}

/** Logs in and stores the session; returns whether it worked. */
async function signIn(email: string, password: string): Promise<void> {
  const res = await api.user.login({ email, password, deviceName: deviceName() });
  const u = res.user;
  session.signIn(
    { userId: u?.userId ?? "", email: u?.email ?? email, name: u?.name ?? "", country: u?.country ?? "" },
    tokensFrom(res.tokens),
  );
}

export function signInScreen(): void {
  const main = shell();
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "auth-card", novalidate: true },
    h("h1", null, "Sign in"),
    field("Email", email),
    field("Password", password),
    formError(),
    submit,
    h("p", { class: "muted" }, "New to Marquee? ", h("a", { href: "/signup" }, "Create an account")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, "Signing in…", async () => {
      try {
        await signIn(email.value.trim(), password.value);
        navigate("/profiles", { replace: true });
      } catch (err) {
        showFormError(form, err, signInError(err));
      }
    });
  });
  main.appendChild(h("div", { class: "auth-page" }, form));
  focusMain(main);
}

export function signUpScreen(): void {
  const main = shell();
  const name = h("input", { name: "name", autocomplete: "name", required: true, maxlength: "100" });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", {
    type: "password",
    name: "password",
    autocomplete: "new-password",
    required: true,
    minlength: "10",
  });
  const dob = h("input", {
    type: "date",
    name: "dateOfBirth",
    required: true,
    max: new Date().toISOString().slice(0, 10),
  });
  const guessedCountry = (navigator.language.split("-")[1] ?? "US").toUpperCase();
  const country = h("input", {
    name: "country",
    autocomplete: "country",
    required: true,
    maxlength: "2",
    pattern: "[A-Za-z]{2}",
    value: /^[A-Z]{2}$/.test(guessedCountry) ? guessedCountry : "US",
  });
  const submit = h("button", { class: "btn btn-primary btn-block", type: "submit" }, "Create account");
  const form = h(
    "form",
    { class: "auth-card", novalidate: true },
    h("h1", null, "Create your account"),
    field("Name", name),
    field("Email", email),
    field("Password", password, "At least 10 characters"),
    h(
      "div",
      { class: "field-pair" },
      field("Date of birth", dob),
      field("Country", country, "2-letter code"),
    ),
    formError(),
    submit,
    h("p", { class: "muted" }, "Already a member? ", h("a", { href: "/signin" }, "Sign in")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, "Creating account…", async () => {
      try {
        await api.user.registerUser({
          name: name.value.trim(),
          email: email.value.trim(),
          password: password.value,
          dateOfBirth: dob.value,
          country: country.value.trim().toUpperCase(),
        });
        await signIn(email.value.trim(), password.value);
        navigate("/plans?next=/profiles", { replace: true });
      } catch (err) {
        showFormError(form, err);
      }
    });
  });
  main.appendChild(h("div", { class: "auth-page" }, form));
  focusMain(main);
}
