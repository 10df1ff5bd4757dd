/**
 * Idempotency keys for a form that may be sent more than once. A key names
 * one attempt: sending the same request again after an unknown outcome (the
 * connection dropped, the server was busy) reuses its key, so the server
 * answers it once; a changed request, or any send after a definitive answer
 * (a declined card, a refusal), is a new attempt with a new key.
 */
export class Attempt {
  readonly #newKey: () => string;
  #key: string | undefined;
  #request = "";

  constructor(newKey: () => string = () => crypto.randomUUID()) {
    this.#newKey = newKey;
  }

  /** The key to send `request` (what the attempt asks for, as a stable string) with. */
  keyFor(request: string): string {
    if (this.#key === undefined || request !== this.#request) {
      this.#key = this.#newKey();
      this.#request = request;
    }
    return this.#key;
  }

  /** The server answered the attempt for good: the next send is a new attempt. */
  answered(): void {
    this.#key = undefined;
  }
}
