// gRPC EventService: stream-server asks which event a stream on a channel belongs to; analytics
// asks whose event it is (to attribute figures to a channel and show details to its owner).
// Served from the list where it can (listing.ts), which the gRPC server only reads.
import * as grpc from "@grpc/grpc-js";
import type { VideoEvent } from "@stream-platform/shared/api";
import { eventsProto } from "@stream-platform/shared/grpc";
import { shownEvent } from "./listing.ts";
import { commands, listing, ready, store } from "./service.ts";
import { toView } from "./views.ts";

type Callback = grpc.sendUnaryData<unknown>;

/** What the service answers of an event. */
const answerOf = (view: VideoEvent) => ({
  id: view.id,
  channelId: view.channelId,
  ownerId: view.ownerId,
  title: view.title,
  status: view.status,
  startsAt: view.startsAt,
  endsAt: view.endsAt ?? "",
  // Where the poster is, as the view shows it (none for a cancelled event).
  posterPath: view.posterUrl ?? "",
});

/**
 * Several events by id (at most 100): the list's, then the store's for those it has not heard
 * of (each a scan of the store: a moment-old event, or an id that never was).
 */
async function eventsByIds(ids: string[]): Promise<VideoEvent[]> {
  const unique = [...new Set(ids)];
  if (unique.length > 100) throw new TooMany(`at most 100 ids, not ${unique.length}`);
  const { views, known } = await listing.getMany(unique);
  const unheard = unique.filter((id) => !known.has(id));
  const stored = await Promise.all(unheard.map((id) => store.get(id)));
  return [...views, ...stored.flatMap((doc) => (doc ? [toView(doc)] : []))];
}

class TooMany extends Error {}

/** Answers with the event, NOT_FOUND when there is none, UNAVAILABLE when the store failed. */
function reply(lookup: () => Promise<VideoEvent | null>, callback: Callback, what: string): void {
  ready()
    .then(lookup)
    .then(
      (view) =>
        view
          ? callback(null, answerOf(view))
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
      reply(
        async () => {
          const doc = await commands.current(call.request.channelId);
          return doc && toView(doc);
        },
        cb,
        "no current event",
      ),
    GetEvent: (call: grpc.ServerUnaryCall<{ id: string }, unknown>, cb: Callback) =>
      reply(() => shownEvent(listing, store, call.request.id), cb, "no such event"),
    GetEvents: (call: grpc.ServerUnaryCall<{ ids: string[] }, unknown>, cb: Callback) => {
      ready()
        .then(() => eventsByIds(call.request.ids))
        .then(
          (views) => cb(null, { events: views.map(answerOf) }),
          (error: Error) => {
            const code =
              error instanceof TooMany ? grpc.status.INVALID_ARGUMENT : grpc.status.UNAVAILABLE;
            cb(Object.assign(error, { code, details: error.message }));
          },
        );
    },
  });
  return server;
}
