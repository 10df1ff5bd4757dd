/** Choosing a plan: at sign-up (CreateSubscription) and from the account page (UpdateSubscription). */
import { BillingCycle, Code, type Plan, PlanTier, VideoQuality } from "@marquee/sdk/browser";
import { memberApi, session } from "../lib/api.js";
import { Attempt } from "../lib/attempt.js";
import { h } from "../lib/dom.js";
import { definitive, isCode, isDecline, paymentError } from "../lib/errors.js";
import { formatMoney } from "../lib/format.js";
import { navigate } from "../nav.js";
import { busy, field, formError, showFormError } from "../ui/form.js";
import { errorState, focusMain, shell, spinner } from "../ui/shell.js";

export const QUALITY_LABEL: Record<number, string> = {
  [VideoQuality.SD]: "SD (480p)",
  [VideoQuality.HD]: "HD (720p)",
  [VideoQuality.FULL_HD]: "Full HD (1080p)",
  [VideoQuality.ULTRA_HD]: "Best available",
};

/** Test cards: a number ending in 0002 is declined, anything else approved (simulated provider). */
function paymentTokenFor(cardNumber: string): string {
  const digits = cardNumber.replace(/\D/g, "");
  if (digits.endsWith("0002")) return `tok_decline_${digits.slice(-4)}`;
  return `tok_card_${digits.slice(-4) || "0000"}`;
}

export function planCards(
  plans: Plan[],
  selected: PlanTier,
  cycle: BillingCycle,
  name = "tier",
): HTMLElement {
  return h(
    "fieldset",
    { class: "plan-grid" },
    h("legend", { class: "sr-only" }, "Plan"),
    plans.map((p) => {
      const price = cycle === BillingCycle.YEARLY ? p.yearlyPrice : p.monthlyPrice;
      const id = `${name}-${p.tier}`;
      return h(
        "label",
        { class: "plan-card", for: id },
        h("input", { type: "radio", name, id, value: String(p.tier), checked: p.tier === selected }),
        h("span", { class: "plan-name" }, p.name),
        h(
          "span",
          { class: "plan-price" },
          formatMoney(price),
          h("small", null, cycle === BillingCycle.YEARLY ? " / year" : " / month"),
        ),
        h(
          "ul",
          { class: "plan-features" },
          h("li", null, QUALITY_LABEL[p.maxQuality] ?? "—"),
          h("li", null, `${p.maxStreams} ${p.maxStreams === 1 ? "screen" : "screens"} at a time`),
        ),
      );
    }),
  );
}

export async function plansScreen(query: URLSearchParams): Promise<void> {
  const main = shell();
  const next = query.get("next") ?? "/profiles";
  main.appendChild(spinner());
  let plans: Plan[];
  try {
    plans = (await memberApi.account.listPlans({})).plans;
  } catch (err) {
    main.replaceChildren(errorState(err, () => void plansScreen(query)));
    return;
  }
  let cycle = BillingCycle.MONTHLY;
  let tier = plans.find((p) => p.tier === PlanTier.STANDARD)?.tier ?? plans[0]?.tier ?? PlanTier.BASIC;
  const cardsHost = h("div");
  const drawCards = () => {
    cardsHost.replaceChildren(planCards(plans, tier, cycle));
  };
  cardsHost.addEventListener("change", (e) => {
    const input = e.target as HTMLInputElement;
    if (input.name === "tier") tier = Number(input.value) as PlanTier;
  });
  drawCards();
  const cycleSwitch = h(
    "div",
    { class: "segmented", role: "radiogroup", "aria-label": "Billing cycle" },
    [
      [BillingCycle.MONTHLY, "Monthly"],
      [BillingCycle.YEARLY, "Yearly (2 months free)"],
    ].map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          role: "radio",
          "aria-checked": String(value === cycle),
          onclick: (e: Event) => {
            cycle = value as BillingCycle;
            for (const b of (e.currentTarget as HTMLElement).parentElement?.children ?? []) {
              b.setAttribute("aria-checked", String(b === e.currentTarget));
            }
            drawCards();
          },
        },
        label as string,
      ),
    ),
  );
  const card = h("input", {
    name: "paymentToken",
    inputmode: "numeric",
    autocomplete: "cc-number",
    value: "4242 4242 4242 4242",
    required: true,
  });
  const submit = h("button", { class: "btn btn-primary", type: "submit" }, "Start membership");
  const attempt = new Attempt();
  const form = h(
    "form",
    { class: "plans-page", novalidate: true },
    h("h1", null, "Choose your plan"),
    h("p", { class: "muted" }, "Change or cancel any time."),
    cycleSwitch,
    cardsHost,
    field("Card number", card, "Test cards: any number is approved; one ending in 0002 is declined."),
    formError(),
    h("div", { class: "actions" }, submit, h("a", { class: "btn btn-ghost", href: next }, "Not now")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, "Subscribing…", async () => {
      const request = { tier, billingCycle: cycle, paymentToken: paymentTokenFor(card.value) };
      try {
        await memberApi.account.createSubscription({
          ...request,
          userId: session.current?.user.userId ?? "",
          idempotencyKey: attempt.keyFor(JSON.stringify(request)),
        });
        navigate(next, { replace: true });
      } catch (err) {
        if (definitive(err)) attempt.answered();
        if (isCode(err, Code.AlreadyExists)) return navigate(next, { replace: true });
        showFormError(form, err, paymentError(err, "Try another card."));
        if (isDecline(err)) card.select();
      }
    });
  });
  main.replaceChildren(form);
  focusMain(main);
}
