import { randomUUID } from "node:crypto";

/**
 * The payment-provider port, and a simulated provider behind it. Real payment
 * networks are out of scope: the simulator approves or declines by card token
 * and, like a real provider, remembers idempotency keys so a retried charge
 * returns the first outcome and never bills twice.
 */
export interface ChargeRequest {
  /** The same key always yields the same outcome, and at most one charge. */
  idempotencyKey: string;
  /** The card token from client-side tokenisation. */
  paymentToken: string;
  amountMinor: number;
  currency: string;
  description: string;
}

/** Why a provider declined a charge. */
export type DeclineReason = "card_declined" | "insufficient_funds" | "card_expired";

export type ChargeResult =
  | { status: "approved"; chargeId: string }
  | { status: "declined"; reason: DeclineReason };

export interface PaymentProvider {
  charge(req: ChargeRequest): Promise<ChargeResult>;
}

/** A charge the simulator made (approved), for tests and audits. */
export interface SimulatedCharge extends ChargeRequest {
  chargeId: string;
}

/**
 * Tokens: "tok_decline…" → declined (card_declined); "tok_insufficient_funds…"
 * → declined (insufficient_funds); any other token → approved. Outcomes are
 * kept per idempotency key for the life of the process (a real provider keeps
 * them for days).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly #outcomes = new Map<string, Promise<ChargeResult>>();
  readonly #revoked = new Set<string>();
  /** Approved charges, in order. */
  readonly charges: SimulatedCharge[] = [];
  /** Charge attempts that reached the network (approved or declined), retries excluded. */
  attempts = 0;

  charge(req: ChargeRequest): Promise<ChargeResult> {
    const known = this.#outcomes.get(req.idempotencyKey);
    if (known !== undefined) return known;
    const outcome = this.#decide(req);
    this.#outcomes.set(req.idempotencyKey, outcome);
    return outcome;
  }

  /** The card behind this token stops working (expired, blocked): its next charges decline. */
  revoke(paymentToken: string): void {
    this.#revoked.add(paymentToken);
  }

  async #decide(req: ChargeRequest): Promise<ChargeResult> {
    this.attempts++;
    if (this.#revoked.has(req.paymentToken)) return { status: "declined", reason: "card_expired" };
    if (req.paymentToken.startsWith("tok_decline")) return { status: "declined", reason: "card_declined" };
    if (req.paymentToken.startsWith("tok_insufficient_funds"))
      return { status: "declined", reason: "insufficient_funds" };
    const chargeId = `ch_sim_${randomUUID()}`;
    this.charges.push({ ...req, chargeId });
    return { status: "approved", chargeId };
  }
}
