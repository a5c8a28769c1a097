// gRPC EventService: stream-server asks which event a stream on a channel belongs to.
import * as grpc from "@grpc/grpc-js";
import { eventsProto } from "@stream-platform/shared/grpc";
import { ready, store } from "./service.ts";

export function createGrpcServer(): grpc.Server {
  const server = new grpc.Server();
  server.addService(eventsProto.EventService.service, {
    GetCurrentEvent: (
      call: grpc.ServerUnaryCall<{ channelId: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      ready()
        .then(() => store.current(call.request.channelId))
        .then(
          (doc) =>
            doc
              ? callback(null, {
                  id: doc._id,
                  channelId: doc.channelId,
                  title: doc.title,
                  status: doc.status,
                  startsAt: doc.startsAt.toISOString(),
                  endsAt: doc.endsAt?.toISOString() ?? "",
                })
              : callback(
                  Object.assign(new Error("no current event"), {
                    code: grpc.status.NOT_FOUND,
                    details: "no current event",
                  }),
                ),
          (error: Error) =>
            callback(
              Object.assign(error, { code: grpc.status.UNAVAILABLE, details: error.message }),
            ),
        );
    },
  });
  return server;
}
