import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import { callerKey, createLogger, type Server, serve } from "@marquee/kit";
import { ContentSchema } from "@marquee/sdk/marquee/content/v1/content_pb";
import { ContentService } from "@marquee/sdk/marquee/content/v1/content_service_pb";

/** A controllable ContentService: counts handler entries and can hold a call open. */
export class TestContent {
  calls = 0;
  #release: (() => void) | undefined;
  #entered: (() => void) | undefined;
  entered = new Promise<void>((resolve) => {
    this.#entered = resolve;
  });

  /** Lets a held GetTrending call finish. */
  release(): void {
    this.#release?.();
  }

  impl(): Partial<ServiceImpl<typeof ContentService>> {
    return {
      getContentDetails: (req, ctx) => {
        this.calls++;
        const caller = ctx.values.get(callerKey);
        return {
          content: create(ContentSchema, {
            contentId: req.contentId,
            title: JSON.stringify({ caller, timeoutMs: ctx.timeoutMs() ?? null }),
          }),
        };
      },
      getTrending: async () => {
        this.calls++;
        await new Promise<void>((resolve) => {
          this.#release = resolve;
          this.#entered?.();
        });
        return { items: [] };
      },
      getGenres: () => {
        this.calls++;
        // Stands for a bug deep in a handler: its text must never reach the client.
        throw new Error("secret database password in /srv/app/db.ts:42");
      },
      browseContent: () => {
        this.calls++;
        // Ignores its deadline on purpose: the kit must still answer in time.
        return new Promise(() => {});
      },
      searchContent: () => {
        this.calls++;
        throw new ConnectError("no such genre", Code.NotFound);
      },
    };
  }
}

export async function serveTestContent(content: TestContent, drainTimeoutMs = 5_000): Promise<Server> {
  return serve({
    name: "test-content",
    services: [ContentService],
    routes: (router) => router.service(ContentService, content.impl()),
    port: 0,
    host: "127.0.0.1",
    log: createLogger("test-content", "silent"),
    drainTimeoutMs,
    // Metrics, on a free loopback port like every process's admin listener.
    admin: { host: "127.0.0.1", port: 0 },
  });
}
