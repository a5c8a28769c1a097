// The platform's gRPC contracts (protos/), loaded at run time; their TypeScript types are
// generated from the same files (npm run protos).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType as AccountsProto } from "./generated/accounts.ts";
import type { ProtoGrpcType as ChannelsProto } from "./generated/channels.ts";
import type { ProtoGrpcType as EventsProto } from "./generated/events.ts";
import type { ProtoGrpcType as SubscriptionsProto } from "./generated/subscriptions.ts";

// PROTOS_DIR: where a bundled build (which has no source tree beside it) finds them.
const protosDir =
  process.env.PROTOS_DIR ??
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "protos");

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

/** Parsed once, when first asked for: a process loads only the contracts it speaks (cold start). */
function once<T>(file: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load<T>(file);
    return loaded;
  };
}

const accounts = once<AccountsProto>("streamplatform/v1/accounts.proto");
const channels = once<ChannelsProto>("streamplatform/v1/channels.proto");
const subscriptions = once<SubscriptionsProto>("streamplatform/v1/subscriptions.proto");
const events = once<EventsProto>("streamplatform/v1/events.proto");
export const accountsProto = () => accounts().streamplatform.v1;
export const channelsProto = () => channels().streamplatform.v1;
export const subscriptionsProto = () => subscriptions().streamplatform.v1;
export const eventsProto = () => events().streamplatform.v1;
