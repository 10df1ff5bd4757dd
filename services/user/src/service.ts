import type { ServiceImpl } from "@connectrpc/connect";
import type { Logger, TitleCatalog } from "@marquee/kit";
import type { EventBus } from "@marquee/kit/bus";
import type { UserService } from "@marquee/sdk/marquee/user/v1/user_service_pb";
import { accountHandlers } from "./account/handlers.js";
import { authHandlers } from "./auth/handlers.js";
import type { TokenIssuer } from "./auth/tokens.js";
import { profileHandlers } from "./profiles/handlers.js";
import { myListHandlers } from "./profiles/my-list-handlers.js";
import type { UserStore } from "./store.js";
import type { Throttle } from "./throttle.js";

export interface UserServiceDeps {
  store: UserStore;
  tokens: TokenIssuer;
  bus: EventBus;
  log: Logger;
  /** Which titles a caller may see (My List holds only those). */
  catalog: TitleCatalog;
  refreshTtlMs: number;
  /** Failed sign-ins (and password confirmations) per account. */
  accountThrottle: Throttle;
  /** Failed sign-ins per client address. */
  addressThrottle: Throttle;
  /** Wrong PINs per profile. */
  pinThrottle: Throttle;
  /** Normalised e-mail addresses whose tokens carry the operator role; none when absent. */
  operatorEmails?: ReadonlySet<string>;
}

/** The UserService: its slices (auth, account, profiles with their lists) composed over one store. */
export function userService(deps: UserServiceDeps): ServiceImpl<typeof UserService> {
  return {
    ...authHandlers(deps),
    ...accountHandlers(deps),
    ...profileHandlers(deps),
    ...myListHandlers(deps),
  };
}
