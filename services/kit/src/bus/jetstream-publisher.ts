import { Code, ConnectError } from "@connectrpc/connect";
import { createInbox, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";

/** How long a publish waits for its stream's ack (the JetStream client's default). */
const ACK_TIMEOUT_MS = 5_000;

/**
 * A publish the bus did not store for now: no stream answered, it refused (a leader election in a
 * cluster answers "temporarily unavailable"), its ack never came, or the connection was down. Sent
 * again it may well land, so a caller (a player's report) is told Unavailable, the retryable code,
 * not Internal.
 */
function notStored(why: string): ConnectError {
  return new ConnectError(`the event bus did not store the event (${why}); send it again`, Code.Unavailable);
}

interface Waiting {
  resolve: () => void;
  reject: (err: Error) => void;
  subject: string;
  until: number;
}

/**
 * JetStream publishes with their acks, without the JetStream client's
 * per-request machinery: the client gives each publish a reply token, a timer,
 * a deferred, its options copied and an Error made (and thrown away) when the
 * request is settled; here one inbox subscription takes every ack, one sweep
 * a second times out the late ones, and publishes asked for in one turn of the
 * event loop leave together once its I/O callbacks have run, in one socket
 * write (each write on loopback wakes the server and costs both sides a
 * context switch). Same protocol as the client's publish: the message with
 * its Nats-Msg-Id header and a reply subject, acknowledged by the stream's
 * PubAck (a duplicate is acknowledged too).
 */
export function jetStreamPublisher(nc: NatsConnection) {
  const inbox = `${createInbox()}.`;
  const waiting = new Map<string, Waiting>();
  let next = 0;
  const decoder = new TextDecoder();

  const answer = (msg: Msg) => {
    const token = msg.subject.slice(inbox.length);
    const w = waiting.get(token);
    if (w === undefined) return;
    waiting.delete(token);
    if (msg.headers?.code === 503) {
      w.reject(notStored(`no JetStream stream answered for ${w.subject}`));
      return;
    }
    let ack: { stream?: string; error?: { code: number; err_code?: number; description: string } };
    try {
      ack = JSON.parse(decoder.decode(msg.data));
    } catch {
      w.reject(new Error(`JetStream answered a publish to ${w.subject} with something that is not an ack`));
      return;
    }
    if (ack.error !== undefined)
      w.reject(
        notStored(
          `JetStream refused a publish to ${w.subject}: ${ack.error.description} (${ack.error.err_code ?? ack.error.code})`,
        ),
      );
    else if (typeof ack.stream !== "string" || ack.stream === "")
      w.reject(new Error(`JetStream answered a publish to ${w.subject} without a stream`));
    else w.resolve();
  };
  nc.subscribe(`${inbox}*`, { callback: (_err, msg) => answer(msg) });
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [token, w] of waiting) {
      if (w.until > now) continue;
      waiting.delete(token);
      w.reject(notStored(`no ack from JetStream for a publish to ${w.subject} within ${ACK_TIMEOUT_MS} ms`));
    }
  }, 1_000);
  sweep.unref();

  let queued: Array<() => void> = [];
  const sendQueued = () => {
    const sends = queued;
    queued = [];
    for (const send of sends) send();
  };

  return {
    /**
     * Resolves once the stream has stored the message (or recognised its msgId as a repeat).
     * `trace`: headers carrying the publisher's trace context, put on the message.
     */
    publish(subject: string, data: Uint8Array, msgId: string, trace?: Record<string, string>): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (queued.length === 0) setImmediate(sendQueued);
        queued.push(() => {
          const token = String(++next);
          const h = headers();
          h.set("Nats-Msg-Id", msgId);
          if (trace !== undefined) for (const name in trace) h.set(name, trace[name] as string);
          waiting.set(token, { resolve, reject, subject, until: Date.now() + ACK_TIMEOUT_MS });
          try {
            nc.publish(subject, data, { reply: inbox + token, headers: h });
          } catch (err) {
            waiting.delete(token);
            reject(notStored(`the NATS connection took no publish: ${(err as Error).message}`));
          }
        });
      });
    },

    /** Stops the sweep; publishes still waiting fail. */
    close() {
      clearInterval(sweep);
      for (const w of waiting.values())
        w.reject(notStored(`the bus closed before JetStream acked a publish to ${w.subject}`));
      waiting.clear();
    },
  };
}
