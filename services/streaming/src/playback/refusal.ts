import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type StreamRefusal_Reason,
  StreamRefusalSchema,
} from "@marquee/sdk/marquee/streaming/v1/streaming_service_pb";

/**
 * StreamContent's FailedPrecondition with the reason as a StreamRefusal detail:
 * a client tells "choose a plan" from "coming soon" without parsing the message.
 */
export function refusal(message: string, reason: StreamRefusal_Reason): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition, undefined, [
    { desc: StreamRefusalSchema, value: create(StreamRefusalSchema, { reason }) },
  ]);
}
