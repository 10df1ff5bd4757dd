import { type Server, startService } from "@marquee/kit";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { accountService } from "./service.js";

export const DEFAULT_PORT = 7105;

/** Wires the account service from the environment and serves it. */
export function startAccountService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "account",
      services: [AccountService],
      defaultPort: DEFAULT_PORT,
      routes: (r) => r.service(AccountService, accountService()),
    },
    env,
  );
}
