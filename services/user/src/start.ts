import { SERVICE_PORTS, type Server, startService } from "@marquee/kit";
import { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { userService } from "./service.js";

/** Wires the user service from the environment and serves it. */
export function startUserService(env: Record<string, string | undefined> = process.env): Promise<Server> {
  return startService(
    {
      name: "user",
      services: [UserService],
      defaultPort: SERVICE_PORTS.user,
      routes: (r) => r.service(UserService, userService()),
    },
    env,
  );
}
