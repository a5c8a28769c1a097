// The platform's gRPC contracts (protos/), loaded at run time; their TypeScript types are
// generated from the same files (npm run protos).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType as ChannelsProto } from "./generated/channels.ts";
import type { ProtoGrpcType as EventsProto } from "./generated/events.ts";
import type { ProtoGrpcType as SubscriptionsProto } from "./generated/subscriptions.ts";

const protosDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "protos");

// The options the types were generated with (protos/generate.sh).
const options: protoLoader.Options = {
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [protosDir],
};

function load<T>(file: string): T {
  return grpc.loadPackageDefinition(protoLoader.loadSync(file, options)) as unknown as T;
}

export const channelsProto = load<ChannelsProto>("streamplatform/v1/channels.proto").streamplatform
  .v1;
export const subscriptionsProto = load<SubscriptionsProto>("streamplatform/v1/subscriptions.proto")
  .streamplatform.v1;
export const eventsProto = load<EventsProto>("streamplatform/v1/events.proto").streamplatform.v1;
