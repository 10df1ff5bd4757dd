/** Entry: routes, and the guards that send a visitor to sign-in or the profile picker first. */
import "./styles.css";
import "./kids.css";
import { session } from "./lib/api.js";
import { h } from "./lib/dom.js";
import type { RouteHandler } from "./lib/router.js";
import { navigate, router } from "./nav.js";
import { accountScreen } from "./screens/account.js";
import { signInScreen, signUpScreen } from "./screens/auth.js";
import { detailsScreen } from "./screens/details.js";
import { homeScreen } from "./screens/home.js";
import { isOperator, operatorScreen } from "./screens/operator.js";
import { plansScreen } from "./screens/plans.js";
import { playerScreen } from "./screens/player.js";
import { profilesScreen } from "./screens/profiles.js";
import { searchScreen } from "./screens/search.js";
import { emptyState, shell } from "./ui/shell.js";

const here = () => encodeURIComponent(location.pathname + location.search);

/** Signed-in member (any profile). */
const member =
  (handler: RouteHandler): RouteHandler =>
  (params, query) => {
    if (!session.signedIn) return navigate(`/signin?next=${here()}`, { replace: true });
    return handler(params, query);
  };

/** Signed-in member with a selected profile. */
const viewer =
  (handler: RouteHandler): RouteHandler =>
  (params, query) => {
    if (!session.signedIn) return navigate(`/signin?next=${here()}`, { replace: true });
    if (!session.profile) return navigate("/profiles", { replace: true });
    return handler(params, query);
  };

const guest =
  (handler: RouteHandler): RouteHandler =>
  (params, query) => {
    if (session.signedIn) return navigate(session.profile ? "/" : "/profiles", { replace: true });
    return handler(params, query);
  };

router
  .on(
    "/signin",
    guest(() => signInScreen()),
  )
  .on(
    "/signup",
    guest(() => signUpScreen()),
  )
  .on(
    "/plans",
    member((_, q) => plansScreen(q)),
  )
  .on(
    "/profiles",
    member(() => profilesScreen()),
  )
  .on(
    "/account",
    member(() => accountScreen()),
  )
  .on(
    "/",
    viewer(() => homeScreen()),
  )
  .on(
    "/search",
    viewer((_, q) => searchScreen(q)),
  )
  .on(
    "/title/:id",
    viewer(({ id }) => detailsScreen(id ?? "")),
  )
  .on(
    "/watch/:id",
    viewer(({ id }, q) => playerScreen(id ?? "", q)),
  )
  .on(
    "/operator",
    // Not a member's page: anyone else sees "not found", as for any address that is not theirs.
    member(() => (isOperator() ? operatorScreen() : notFound())),
  )
  .otherwise(() => notFound());

function notFound(): void {
  const main = shell({ member: session.profile !== undefined });
  main.appendChild(
    emptyState(
      "Page not found",
      "There's nothing at this address.",
      h("a", { class: "btn btn-primary", href: "/" }, "Go home"),
    ),
  );
}

window.addEventListener("marquee:signed-out", () => navigate("/signin", { replace: true }));
router.start();
