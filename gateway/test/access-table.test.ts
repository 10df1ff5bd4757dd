import { REFLECTION_SERVICES } from "@marquee/kit";
import { Health } from "@marquee/sdk/grpc/health/v1/health_pb";
import { AccountService } from "@marquee/sdk/marquee/account/v1/account_service_pb";
import test from "ava";
import { ACCESS_TABLE } from "../src/access-table.js";
import { UPSTREAM_SERVICES } from "../src/upstreams.js";

/** Every RPC the gateway serves: the six services, its own health and server reflection. */
const rpcsOfDescriptors = () =>
  [...Object.values(UPSTREAM_SERVICES), Health, ...REFLECTION_SERVICES].flatMap((s) =>
    s.methods.map((m) => `${s.typeName}/${m.name}`),
  );

test("every RPC of every service descriptor has a rule in the access table", (t) => {
  const missing = rpcsOfDescriptors().filter((rpc) => !(rpc in ACCESS_TABLE));
  t.deepEqual(missing, [], "add these RPCs to gateway/src/access-table.ts");
});

test("every rule of the access table names an RPC that exists", (t) => {
  const known = new Set(rpcsOfDescriptors());
  t.deepEqual(
    Object.keys(ACCESS_TABLE).filter((rpc) => !known.has(rpc)),
    [],
  );
});

test("the table covers all six services", (t) => {
  t.is(Object.keys(UPSTREAM_SERVICES).length, 6);
  t.true(AccountService.methods.length > 0);
});

test("RPCs documented as internal are never callable from outside", (t) => {
  for (const rpc of [
    "marquee.user.v1.UserService/GetSigningKeys",
    "marquee.user.v1.UserService/CheckSession",
    "marquee.account.v1.AccountService/GetEntitlement",
    "marquee.content.v1.ContentService/AttachMedia",
  ]) {
    t.is(ACCESS_TABLE[rpc]?.kind, "internal", rpc);
  }
});
