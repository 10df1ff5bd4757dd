import { type Server, startService } from "@marquee/kit";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { userService } from "./service.js";

export const DEFAULT_PORT = 7101;

/** Wires the user service from the environment and serves it. */
export function startUserService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "user",
      services: [UserService],
      defaultPort: DEFAULT_PORT,
      routes: (r) => r.service(UserService, userService()),
    },
    env,
  );
}
