import { notYetImplemented } from "@marquee/kit";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";

/** The AccountService handlers; built in issue #4. */
export function accountService() {
  return notYetImplemented(AccountService, "issue #4");
}
