import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type CallOptions, type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  CALLER_HEADER,
  type Caller,
  encodeCaller,
  OPEN_CATALOG,
  type Server,
  type TitleCatalog,
} from "@marquee/kit";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { startUserService } from "../src/start.js";

export const PASSWORD = "correct horse battery";

/** A user service on port 0 with its embedded store in a fresh directory (every title visible unless `catalog` says). */
export async function startTestUserService(
  extraEnv: Record<string, string> = {},
  catalog: TitleCatalog = OPEN_CATALOG,
): Promise<{
  server: Server;
  client: Client<typeof UserService>;
  dataDir: string;
  close(): Promise<void>;
}> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-user-"));
  const server = await startUserService(
    {
      MARQUEE_USER_PORT: "0",
      MARQUEE_LOG_LEVEL: "silent",
      MARQUEE_BACKENDS: "embedded",
      MARQUEE_EMBEDDED_DATA_DIR: dataDir,
      ...extraEnv,
    },
    { catalog },
  );
  const client = createClient(UserService, createGrpcTransport({ baseUrl: server.url }));
  return {
    server,
    client,
    dataDir,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Call options stating a caller, as the gateway does. */
export function as(
  caller: Partial<Caller> & { kind: Caller["kind"] },
  headers: Record<string, string> = {},
): CallOptions {
  return { headers: { [CALLER_HEADER]: encodeCaller({ scopes: [], ...caller }), ...headers } };
}

export const INTERNAL = as({ kind: "internal", service: "gateway" });

let n = 0;
/** A registration request with a fresh e-mail address. */
export function newMember(overrides: Record<string, string> = {}) {
  n++;
  return {
    email: `member${n}.${Date.now()}@example.com`,
    password: PASSWORD,
    name: `Member ${n}`,
    dateOfBirth: "1990-04-01",
    country: "NO",
    ...overrides,
  };
}
