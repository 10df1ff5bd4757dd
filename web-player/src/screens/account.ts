/** Account: the member, the plan (change, cancel), billing history. */
import { type Timestamp, timestampMs } from "@bufbuild/protobuf/wkt";
import {
  BillingCycle,
  Code,
  type Invoice,
  InvoiceState,
  type Plan,
  PlanTier,
  type Subscription,
  SubscriptionState,
} from "@marquee/sdk/browser";
import { memberApi, session } from "../lib/api.js";
import { Attempt } from "../lib/attempt.js";
import { h } from "../lib/dom.js";
import { definitive, friendlyError, isCode, paymentError } from "../lib/errors.js";
import { formatDate, formatMoney } from "../lib/format.js";
import { busy, formError, showFormError } from "../ui/form.js";
import { emptyState, errorState, focusMain, shell, spinner, toast } from "../ui/shell.js";
import { planCards, QUALITY_LABEL } from "./plans.js";
import { searchHandler } from "./search.js";

const STATE_LABEL: Record<number, string> = {
  [SubscriptionState.ACTIVE]: "Active",
  [SubscriptionState.CANCELLED]: "Cancelled",
  [SubscriptionState.EXPIRED]: "Expired",
};

const ms = (t: Timestamp | undefined) => (t ? timestampMs(t) : undefined);

function invoiceTable(invoices: Invoice[]): HTMLElement {
  if (invoices.length === 0)
    return emptyState("No invoices yet", "Your invoices appear here after each payment.");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "table" },
      h("caption", { class: "sr-only" }, "Billing history"),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, "Date"),
          h("th", { scope: "col" }, "Description"),
          h("th", { scope: "col" }, "Period"),
          h("th", { scope: "col", class: "num" }, "Amount"),
          h("th", { scope: "col" }, "Status"),
        ),
      ),
      h(
        "tbody",
        null,
        invoices.map((i) =>
          h(
            "tr",
            null,
            h("td", null, formatDate(ms(i.createTime))),
            h("td", null, i.description),
            h("td", null, `${formatDate(ms(i.periodStartTime))} – ${formatDate(ms(i.periodEndTime))}`),
            h("td", { class: "num" }, formatMoney(i.amount)),
            h(
              "td",
              null,
              h(
                "span",
                { class: `tag ${i.state === InvoiceState.DECLINED ? "tag-bad" : "tag-good"}` },
                i.state === InvoiceState.DECLINED ? "Declined" : "Paid",
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

function planSection(
  sub: Subscription,
  plan: Plan | undefined,
  plans: Plan[],
  reload: () => void,
): HTMLElement {
  const userId = session.current?.user.userId ?? "";
  const cancelled = sub.state !== SubscriptionState.ACTIVE;
  const end = formatDate(ms(sub.currentPeriodEndTime));
  let tier = sub.tier;
  const changeForm = h("form", { class: "change-plan", novalidate: true, hidden: true });
  const save = h("button", { class: "btn btn-primary", type: "submit" }, "Save plan");
  changeForm.append(
    h("h3", null, "Change plan"),
    h(
      "p",
      { class: "muted" },
      "Upgrades apply now with a prorated charge; downgrades at the end of the period.",
    ),
    planCards(plans, sub.tier, sub.billingCycle || BillingCycle.MONTHLY, "newTier"),
    formError(),
    h(
      "div",
      { class: "actions" },
      save,
      h(
        "button",
        { class: "btn btn-ghost", type: "button", onclick: () => (changeForm.hidden = true) },
        "Cancel",
      ),
    ),
  );
  changeForm.addEventListener("change", (e) => {
    const input = e.target as HTMLInputElement;
    if (input.name === "newTier") tier = Number(input.value) as PlanTier;
  });
  const attempt = new Attempt();
  changeForm.addEventListener("submit", (e) => {
    e.preventDefault();
    void busy(save, "Saving…", async () => {
      try {
        const idempotencyKey = attempt.keyFor(String(tier));
        const res = await memberApi.account.updateSubscription({ userId, tier, idempotencyKey });
        toast(
          res.invoice
            ? `Upgraded: charged ${formatMoney(res.invoice.amount)}`
            : "Your plan changes at the end of this period",
        );
        reload();
      } catch (err) {
        if (definitive(err)) attempt.answered();
        showFormError(changeForm, err, paymentError(err, "Your plan was not changed."));
      }
    });
  });
  const cancelBtn = h("button", { class: "btn btn-danger", type: "button" }, "Cancel membership");
  cancelBtn.addEventListener("click", () => {
    if (!confirm(`Cancel your membership? You can keep watching until ${end}.`)) return;
    void busy(cancelBtn, "Cancelling…", async () => {
      try {
        await memberApi.account.cancelSubscription({ userId });
        toast(`Cancelled. You can watch until ${end}.`);
        reload();
      } catch (err) {
        const f = friendlyError(err);
        toast(`${f.title}: ${f.detail}`, "error");
      }
    });
  });
  const pending =
    sub.pendingTier !== PlanTier.UNSPECIFIED ? plans.find((p) => p.tier === sub.pendingTier) : undefined;
  return h(
    "section",
    { class: "panel", "aria-labelledby": "plan-h" },
    h("h2", { id: "plan-h" }, "Plan"),
    h(
      "div",
      { class: "plan-summary" },
      h(
        "div",
        null,
        h("strong", { class: "plan-name" }, plan?.name ?? PlanTier[sub.tier]),
        " ",
        h("span", { class: `tag ${cancelled ? "tag-bad" : "tag-good"}` }, STATE_LABEL[sub.state] ?? "—"),
      ),
      h(
        "p",
        null,
        plan
          ? `${QUALITY_LABEL[plan.maxQuality] ?? ""} · ${plan.maxStreams} ${plan.maxStreams === 1 ? "screen" : "screens"}`
          : "",
      ),
      h(
        "p",
        null,
        `${formatMoney(sub.billingAmount)} per ${sub.billingCycle === BillingCycle.YEARLY ? "year" : "month"}`,
      ),
      h("p", { class: "muted" }, cancelled ? `Access ends ${end}` : `Renews ${end}`),
      pending ? h("p", { class: "muted" }, `Changes to ${pending.name} on ${end}`) : null,
    ),
    cancelled
      ? h("a", { class: "btn btn-primary", href: "/plans?next=/account" }, "Restart membership")
      : h(
          "div",
          { class: "actions" },
          h(
            "button",
            {
              class: "btn btn-secondary",
              type: "button",
              onclick: () => (changeForm.hidden = !changeForm.hidden),
            },
            "Change plan",
          ),
          cancelBtn,
        ),
    changeForm,
  );
}

export async function accountScreen(): Promise<void> {
  const main = shell({ member: session.profile !== undefined, active: "account", onSearch: searchHandler() });
  const user = session.current?.user;
  const page = h("div", { class: "account-page" }, h("h1", null, "Account"));
  main.appendChild(page);
  focusMain(main);
  page.appendChild(
    h(
      "section",
      { class: "panel", "aria-labelledby": "member-h" },
      h("h2", { id: "member-h" }, "Membership"),
      h("p", null, h("strong", null, user?.name ?? ""), " · ", user?.email ?? ""),
    ),
  );
  const planHost = h("div", null, spinner("Loading plan"));
  const billingHost = h(
    "section",
    { class: "panel", "aria-labelledby": "billing-h" },
    h("h2", { id: "billing-h" }, "Billing history"),
    spinner("Loading billing history"),
  );
  page.append(planHost, billingHost);
  const reload = () => void accountScreen();
  const userId = user?.userId ?? "";
  const [details, plans] = await Promise.allSettled([
    memberApi.account.getSubscriptionDetails({ userId }),
    memberApi.account.listPlans({}),
  ]);
  if (details.status === "fulfilled" && details.value.subscription) {
    planHost.replaceChildren(
      planSection(
        details.value.subscription,
        details.value.plan,
        plans.status === "fulfilled" ? plans.value.plans : [],
        reload,
      ),
    );
  } else if (details.status === "rejected" && !isCode(details.reason, Code.NotFound)) {
    planHost.replaceChildren(errorState(details.reason, reload));
  } else {
    planHost.replaceChildren(
      h(
        "section",
        { class: "panel" },
        h("h2", null, "Plan"),
        emptyState(
          "No membership",
          "Choose a plan to start watching.",
          h("a", { class: "btn btn-primary", href: "/plans?next=/account" }, "Choose a plan"),
        ),
      ),
    );
  }
  try {
    const res = await memberApi.account.getBillingHistory({ userId, pageSize: 50 });
    billingHost.replaceChildren(h("h2", { id: "billing-h" }, "Billing history"), invoiceTable(res.invoices));
  } catch (err) {
    billingHost.replaceChildren(h("h2", { id: "billing-h" }, "Billing history"), errorState(err, reload));
  }
}
