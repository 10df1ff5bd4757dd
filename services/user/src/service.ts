import { notYetImplemented } from "@marquee/kit";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";

/** The UserService handlers; built in issue #4. */
export function userService() {
  return notYetImplemented(UserService, "issue #4");
}
