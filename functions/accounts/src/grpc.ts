// gRPC: AccountService (every function checks a session's account exists), ChannelService
// (stream-server authorizes publishers) and SubscriptionService (notifications streams
// recipients). Served by shared/src/hosting with GRPC_SOURCE=this file.
import * as grpc from "@grpc/grpc-js";
import { accountsProto, channelsProto, subscriptionsProto } from "@stream-platform/shared/grpc";
import { mergeUniquePages } from "./merge.ts";
import { uuid } from "./schemas.ts";
import { ready, store } from "./service.ts";
import type { Channel, Target } from "./store.ts";

const toMessage = (channel: Channel) => ({
  id: channel.id,
  ownerId: channel.ownerId,
  slug: channel.slug,
  title: channel.title,
  description: channel.description,
  createdAt: channel.createdAt,
});

const fail = (code: grpc.status, details: string) =>
  Object.assign(new Error(details), { code, details });

/** Waits until the stream can take more (backpressure), or the call ends. */
function drained(call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("cancelled", done);
      resolve();
    };
    call.on("drain", done);
    call.on("cancelled", done);
  });
}

/** Answers a unary call with the channel found, `missing` when there is none, UNAVAILABLE on failure. */
function answerChannel(
  callback: grpc.sendUnaryData<unknown>,
  find: () => Promise<Channel | undefined>,
  missing: Error,
): void {
  ready()
    .then(find)
    .then(
      (channel) => (channel ? callback(null, toMessage(channel)) : callback(missing)),
      (error: Error) => callback(fail(grpc.status.UNAVAILABLE, error.message)),
    );
}

/** Adds the services to `server` (the host's, which checks the internal token on every call). */
export function createGrpcServer(server: grpc.Server): grpc.Server {
  server.addService(accountsProto().AccountService.service, {
    GetAccount: (
      call: grpc.ServerUnaryCall<{ id: string; sessionId: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const { id, sessionId } = call.request;
      const missing = fail(grpc.status.NOT_FOUND, `no account ${id}`);
      if (!uuid.safeParse(id).success || (sessionId && !uuid.safeParse(sessionId).success)) {
        callback(missing);
        return;
      }
      ready()
        .then(async () =>
          !sessionId || (await store.sessionExists(id, sessionId)) ? store.user(id) : undefined,
        )
        .then(
          (user) =>
            user
              ? callback(null, { id: user.id, displayName: user.displayName, roles: user.roles })
              : callback(missing),
          (error: Error) => callback(fail(grpc.status.UNAVAILABLE, error.message)),
        );
    },
    // For notification mail (functions/notifications): the address never leaves otherwise.
    GetMailAddress: (
      call: grpc.ServerUnaryCall<{ id: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const { id } = call.request;
      if (!uuid.safeParse(id).success) {
        callback(fail(grpc.status.NOT_FOUND, `no account ${id}`));
        return;
      }
      ready()
        .then(() => store.user(id))
        .then(
          (user) =>
            user
              ? callback(null, {
                  email: user.email,
                  displayName: user.displayName,
                  verified: user.emailVerified,
                })
              : callback(fail(grpc.status.NOT_FOUND, `no account ${id}`)),
          (error: Error) => callback(fail(grpc.status.UNAVAILABLE, error.message)),
        );
    },
  });
  server.addService(channelsProto().ChannelService.service, {
    AuthorizePublish: (
      call: grpc.ServerUnaryCall<{ streamKey: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) =>
      // The key is never echoed back, in answers or logs.
      answerChannel(
        callback,
        () => store.channelByStreamKey(call.request.streamKey),
        fail(grpc.status.PERMISSION_DENIED, "unknown stream key"),
      ),
    GetChannel: (
      call: grpc.ServerUnaryCall<{ id: string }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      if (!uuid.safeParse(call.request.id).success) {
        callback(fail(grpc.status.INVALID_ARGUMENT, "id: not a valid channel id"));
        return;
      }
      answerChannel(
        callback,
        () => store.channel(call.request.id),
        fail(grpc.status.NOT_FOUND, `no channel ${call.request.id}`),
      );
    },
  });
  server.addService(subscriptionsProto().SubscriptionService.service, {
    ListSubscribers: async (
      call: grpc.ServerWritableStream<{ targets: { kind: string; id: string }[] }, unknown>,
    ) => {
      const targets: Target[] = [];
      for (const t of call.request.targets) {
        if (t.kind === "CHANNEL" && uuid.safeParse(t.id).success)
          targets.push({ kind: "channel", id: t.id });
        else if (t.kind === "EVENT" && t.id) targets.push({ kind: "event", id: t.id });
        else {
          // (grpc-js sends a server stream's status on an 'error' event; destroy() sends none.)
          call.emit(
            "error",
            fail(grpc.status.INVALID_ARGUMENT, `targets: invalid target ${t.kind} ${t.id}`),
          );
          return;
        }
      }
      try {
        await ready();
        for await (const userIds of mergeUniquePages(
          targets.map((t) => store.subscriberPages(t)),
        )) {
          if (call.cancelled) return;
          if (!call.write({ userIds })) await drained(call);
        }
        call.end();
      } catch (error) {
        call.emit("error", fail(grpc.status.UNAVAILABLE, (error as Error).message));
      }
    },
  });
  return server;
}
