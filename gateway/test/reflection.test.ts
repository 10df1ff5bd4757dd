import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { Server } from "@marquee/kit";
import { startUserService } from "@marquee/user";
import test from "ava";
import { startGateway } from "../src/start.js";

/**
 * gRPC server reflection on the real gateway and a real service (the user
 * service, embedded), asked by stock clients that know no Marquee .proto:
 * @grpc/grpc-js with only the reflection protocol loaded, and buf curl.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), "marquee-reflection-"));
let user: Server;
let gateway: Server;

test.before(async () => {
  const env = {
    MARQUEE_BACKENDS: "embedded",
    MARQUEE_EMBEDDED_DATA_DIR: dataDir,
    MARQUEE_LOG_LEVEL: "silent",
  };
  user = await startUserService({ ...env, MARQUEE_USER_PORT: "0" });
  gateway = await startGateway({ ...env, MARQUEE_GATEWAY_PORT: "0", MARQUEE_USER_URL: user.url });
});

test.after.always(async () => {
  await gateway?.close();
  await user?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Version = "v1" | "v1alpha";

/** A grpc-js client of the reflection service, loaded from its .proto alone. */
function reflectionClient(url: string, version: Version) {
  const definition = protoLoader.loadSync(
    path.join(root, `proto/grpc/reflection/${version}/reflection.proto`),
    {
      oneofs: true,
    },
  );
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<Version, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const Client = loaded.grpc.reflection[version].ServerReflection;
  return new Client(new URL(url).host, grpc.credentials.createInsecure());
}

interface Answer {
  messageResponse: string;
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** Asks the questions on one reflection stream and collects the answers. */
function ask(url: string, questions: object[], version: Version = "v1"): Promise<Answer[]> {
  const client = reflectionClient(url, version);
  const call = (client.ServerReflectionInfo as () => grpc.ClientDuplexStream<object, Answer>)();
  const answers: Answer[] = [];
  return new Promise<Answer[]>((resolve, reject) => {
    call.on("data", (answer: Answer) => answers.push(answer));
    call.on("error", reject);
    call.on("end", () => resolve(answers));
    for (const question of questions) call.write(question);
    call.end();
  }).finally(() => client.close());
}

/** A grpc-js client of a service built only from the descriptors reflection sent. */
async function reflectedClient(url: string, service: string) {
  const [answer] = await ask(url, [{ fileContainingSymbol: service }]);
  const files = (answer?.fileDescriptorResponse?.fileDescriptorProto ?? []).map((b) =>
    fromBinary(FileDescriptorProtoSchema, b),
  );
  const set = toBinary(FileDescriptorSetSchema, create(FileDescriptorSetSchema, { file: files }));
  const definition = protoLoader.loadFileDescriptorSetFromBuffer(Buffer.from(set));
  const Client = grpc.makeClientConstructor(definition[service] as grpc.ServiceDefinition, service);
  const client = new Client(new URL(url).host, grpc.credentials.createInsecure());
  return {
    methods: Object.keys(Client.service),
    call: (method: string, request: object) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const fn = client[method] as (
          req: object,
          done: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void,
        ) => void;
        fn.call(client, request, (err, res) => (err ? reject(err) : resolve(res)));
      }).finally(() => client.close()),
  };
}

const names = (answer: Answer | undefined) => answer?.listServicesResponse?.service.map((s) => s.name) ?? [];

for (const version of ["v1", "v1alpha"] as const) {
  test(`the gateway lists its public services over ${version}`, async (t) => {
    const [answer] = await ask(gateway.url, [{ listServices: "*" }], version);
    t.deepEqual(names(answer), [
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "marquee.account.v1.AccountService",
      "marquee.content.v1.ContentService",
      "marquee.feedback.v1.FeedbackService",
      "marquee.recommendation.v1.RecommendationService",
      "marquee.streaming.v1.StreamingService",
      "marquee.user.v1.UserService",
    ]);
  });
}

test("a service lists its own services, and answers every question of a stream in order", async (t) => {
  const answers = await ask(user.url, [
    { listServices: "" },
    { fileContainingSymbol: "marquee.nope.v1.Nope" },
    { fileByFilename: "marquee/user/v1/user_service.proto" },
  ]);
  t.deepEqual(names(answers[0]), [
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
    "marquee.user.v1.UserService",
  ]);
  t.is(answers[1]?.errorResponse?.errorCode, grpc.status.NOT_FOUND);
  t.regex(answers[1]?.errorResponse?.errorMessage ?? "", /marquee\.nope\.v1\.Nope/);
  t.is(answers[2]?.messageResponse, "fileDescriptorResponse");
});

test("grpc-js calls an RPC through the gateway from reflected descriptors alone; internal RPCs are not described", async (t) => {
  const users = await reflectedClient(gateway.url, "marquee.user.v1.UserService");
  t.true(users.methods.includes("RegisterUser"));
  t.false(users.methods.includes("CheckSession"), "internal to Marquee: the gateway does not describe it");
  t.false(users.methods.includes("GetSigningKeys"));
  const res = await users.call("RegisterUser", {
    email: "reflected@example.com",
    password: "correct horse 1",
    name: "Reflected",
    date_of_birth: "1990-04-01", // descriptors keep the .proto's field names
    country: "NO",
  });
  t.is((res.user as { email: string }).email, "reflected@example.com");
});

test("a service describes its internal RPCs too, and grpc-js calls it from them", async (t) => {
  const users = await reflectedClient(user.url, "marquee.user.v1.UserService");
  t.true(users.methods.includes("CheckSession"), "services are called by services: their view is whole");
  const err = await t.throwsAsync(users.call("RegisterUser", { email: "not an address" }));
  t.is(
    (err as grpc.ServiceError).code,
    grpc.status.INVALID_ARGUMENT,
    "the reflected types carry the request",
  );
});

test("buf curl --reflect lists and calls through the gateway", async (t) => {
  const buf = path.join(root, "node_modules/.bin/buf");
  const curl = (...args: string[]) =>
    promisify(execFile)(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], {
      timeout: 60_000,
    });
  const listed = await curl("--list-methods", gateway.url);
  t.true(listed.stdout.includes("marquee.user.v1.UserService/Login"));
  t.true(listed.stdout.includes("marquee.content.v1.ContentService/SearchContent"));
  t.false(listed.stdout.includes("CheckSession"));
  const registered = await curl(
    "-d",
    JSON.stringify({
      email: "buf-curl@example.com",
      password: "correct horse 1",
      name: "Buf",
      dateOfBirth: "1990-04-01",
      country: "NO",
    }),
    `${gateway.url}/marquee.user.v1.UserService/RegisterUser`,
  );
  t.is(JSON.parse(registered.stdout).user.email, "buf-curl@example.com");
});
