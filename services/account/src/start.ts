import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import { accountService } from "./service.js";

/** Wires the account service from the environment and serves it. */
export function startAccountService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "account",
      services: [AccountService],
      defaultPort: SERVICE_PORTS.account,
      routes: (r) => r.service(AccountService, accountService()),
    },
    env,
  );
}
