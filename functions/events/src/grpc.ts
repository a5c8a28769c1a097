// gRPC EventService: stream-server asks which event a stream on a channel belongs to; analytics
// asks whose event it is (to attribute figures to a channel and show details to its owner).
import * as grpc from "@grpc/grpc-js";
import { eventsProto } from "@stream-platform/shared/grpc";
import { commands, ready, store } from "./service.ts";
import type { EventDoc } from "./store.ts";

type Callback = grpc.sendUnaryData<unknown>;

/** Answers with the event, NOT_FOUND when there is none, UNAVAILABLE when the store failed. */
function reply(lookup: () => Promise<EventDoc | null>, callback: Callback, what: string): void {
  ready()
    .then(lookup)
    .then(
      (doc) =>
        doc
          ? callback(null, {
              id: doc._id,
              channelId: doc.channelId,
              ownerId: doc.ownerId,
              title: doc.title,
              status: doc.status,
              startsAt: doc.startsAt.toISOString(),
              endsAt: doc.endsAt?.toISOString() ?? "",
              posterPath: doc.posterPath ?? "",
            })
          : callback(
              Object.assign(new Error(what), { code: grpc.status.NOT_FOUND, details: what }),
            ),
      (error: Error) =>
        callback(Object.assign(error, { code: grpc.status.UNAVAILABLE, details: error.message })),
    );
}

/** Adds the services to `server` (the host's, which checks the internal token on every call). */
export function createGrpcServer(server: grpc.Server): grpc.Server {
  server.addService(eventsProto().EventService.service, {
    GetCurrentEvent: (call: grpc.ServerUnaryCall<{ channelId: string }, unknown>, cb: Callback) =>
      reply(() => commands.current(call.request.channelId), cb, "no current event"),
    GetEvent: (call: grpc.ServerUnaryCall<{ id: string }, unknown>, cb: Callback) =>
      reply(() => store.get(call.request.id), cb, "no such event"),
  });
  return server;
}
