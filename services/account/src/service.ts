import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { decodePageToken, encodePageToken, requireInternal, requireSelf } from "@marquee/kit";
import {
  type AccountService,
  DeclineReason,
  PaymentDeclinedSchema,
} from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { z } from "zod";
import type { Billing } from "./billing.js";
import { BillingError, type BillingErrorKind } from "./billing-error.js";
import { invoiceMessage, planMessage, subscriptionMessage } from "./convert.js";
import type { DeclineReason as ChargeDecline } from "./payments.js";
import { PLANS, planOf } from "./plans.js";

const CODES: Record<BillingErrorKind, Code> = {
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  failed_precondition: Code.FailedPrecondition,
  invalid_argument: Code.InvalidArgument,
  aborted: Code.Aborted,
};

const DECLINES: Record<ChargeDecline, DeclineReason> = {
  card_declined: DeclineReason.CARD_DECLINED,
  insufficient_funds: DeclineReason.INSUFFICIENT_FUNDS,
  card_expired: DeclineReason.CARD_EXPIRED,
};

/**
 * A billing refusal becomes the matching RPC error (a declined card with a PaymentDeclined detail);
 * anything else goes on to the error interceptor.
 */
async function rpc<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof BillingError)) throw err;
    const details =
      err.declined === undefined
        ? []
        : [{ desc: PaymentDeclinedSchema, value: { reason: DECLINES[err.declined] } }];
    throw new ConnectError(err.message, CODES[err.kind], undefined, details);
  }
}

const pageTokenSchema = z.object({ t: z.number().int().nonnegative(), id: z.uuid() });

/**
 * The AccountService handlers: authorization and translation between the API
 * and the billing engine. ListPlans is public; a member reaches only their own
 * subscription and billing; GetEntitlement is for other services.
 */
export function accountService(billing: Billing): ServiceImpl<typeof AccountService> {
  return {
    listPlans() {
      return { plans: PLANS.map(planMessage) };
    },

    createSubscription(req, ctx) {
      requireSelf(ctx, req.userId);
      return rpc(async () => {
        const { subscription, invoice } = await billing.create({
          userId: req.userId,
          tier: req.tier,
          billingCycle: req.billingCycle,
          paymentToken: req.paymentToken,
          idempotencyKey: req.idempotencyKey,
        });
        return {
          subscription: subscriptionMessage(subscription),
          ...(invoice === undefined ? {} : { invoice: invoiceMessage(invoice) }),
        };
      });
    },

    updateSubscription(req, ctx) {
      requireSelf(ctx, req.userId);
      return rpc(async () => {
        const { subscription, invoice } = await billing.update({
          userId: req.userId,
          tier: req.tier,
          billingCycle: req.billingCycle,
          idempotencyKey: req.idempotencyKey,
        });
        return {
          subscription: subscriptionMessage(subscription),
          ...(invoice === undefined ? {} : { invoice: invoiceMessage(invoice) }),
        };
      });
    },

    cancelSubscription(req, ctx) {
      requireSelf(ctx, req.userId);
      return rpc(async () => ({ subscription: subscriptionMessage(await billing.cancel(req.userId)) }));
    },

    getSubscriptionDetails(req, ctx) {
      requireSelf(ctx, req.userId);
      return rpc(async () => {
        const sub = await billing.details(req.userId);
        return { subscription: subscriptionMessage(sub), plan: planMessage(planOf(sub.tier)) };
      });
    },

    getBillingHistory(req, ctx) {
      requireSelf(ctx, req.userId);
      const position = decodePageToken(req.pageToken, pageTokenSchema);
      return rpc(async () => {
        const page = await billing.invoices(
          req.userId,
          req.pageSize,
          position === undefined ? undefined : { createTime: position.t, invoiceId: position.id },
        );
        return {
          invoices: page.invoices.map(invoiceMessage),
          nextPageToken:
            page.next === undefined
              ? ""
              : encodePageToken({ t: page.next.createTime, id: page.next.invoiceId }),
        };
      });
    },

    getEntitlement(req, ctx) {
      requireInternal(ctx);
      return rpc(async () => ({ ...(await billing.entitlement(req.userId)) }));
    },
  };
}
