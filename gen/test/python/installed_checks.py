"""Checks run in the fresh virtualenv holding the marquee-sdk wheel, against a
running gateway (argv[1], host:port): grpcio is not shadowed by generated
code, the official health client works, and grpcio-reflection's descriptor
database lists, describes and calls an RPC with no generated code at all.
Prints one JSON object."""

import json
import sys

import grpc
from google.protobuf import descriptor_pool, message_factory
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

import marquee_sdk
from marquee.content.v1 import content_service_pb2 as content

target = sys.argv[1]
channel = grpc.insecure_channel(target)
grpc.channel_ready_future(channel).result(timeout=30)

health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)

database = ProtoReflectionDescriptorDatabase(channel)
pool = descriptor_pool.DescriptorPool(database)
account = pool.FindServiceByName("marquee.account.v1.AccountService")
list_plans = account.methods_by_name["ListPlans"]
request_class = message_factory.GetMessageClass(list_plans.input_type)
response_class = message_factory.GetMessageClass(list_plans.output_type)
call = channel.unary_unary(
    "/marquee.account.v1.AccountService/ListPlans",
    request_serializer=request_class.SerializeToString,
    response_deserializer=response_class.FromString,
)
plans = call(request_class(), timeout=10)
user_service = pool.FindServiceByName("marquee.user.v1.UserService")


def code_of(call):
    try:
        call()
        return "OK"
    except grpc.RpcError as err:
        return err.code().name


with marquee_sdk.Marquee(f"http://{target}", api_key="marquee-local-partner-key") as partner:
    genres = len(partner.content.GetGenres(content.GetGenresRequest()).genres)
with marquee_sdk.Marquee(target, api_key="not-a-key") as stranger:
    wrong_key = code_of(lambda: stranger.content.GetGenres(content.GetGenresRequest()))
with marquee_sdk.Marquee(target, api_key="marquee-local-partner-key", timeout=0.000001) as hasty:
    default_deadline = code_of(lambda: hasty.content.GetGenres(content.GetGenresRequest()))
    own_deadline = code_of(lambda: hasty.content.GetGenres(content.GetGenresRequest(), timeout=10))

print(
    json.dumps(
        {
            "grpc": grpc.__file__,
            "sdk": marquee_sdk.__file__,
            "health": health_pb2.HealthCheckResponse.ServingStatus.Name(health.status),
            "services": sorted(database.get_services()),
            "plans": len(plans.plans),
            "user_methods": sorted(m.name for m in user_service.methods),
            "genres": genres,
            "wrong_key": wrong_key,
            "default_deadline": default_deadline,
            "own_deadline": own_deadline,
        }
    )
)
