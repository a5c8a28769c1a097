// Typed gRPC clients for other functions. Addresses come from the environment:
// SERVICE_<KNATIVE SERVICE NAME>_ADDRESS (local/ sets them; a cluster manifest names the
// Service's DNS name), e.g. SERVICE_ACCOUNTS_GRPC_ADDRESS=127.0.0.1:8102.
import * as grpc from "@grpc/grpc-js";
import { internalAuthorization } from "../auth/internal.ts";
import { serviceAddressVariable } from "../config.ts";
import type { Account__Output } from "./generated/streamplatform/v1/Account.ts";
import type { AccountServiceClient } from "./generated/streamplatform/v1/AccountService.ts";
import type { Channel__Output } from "./generated/streamplatform/v1/Channel.ts";
import type { ChannelServiceClient } from "./generated/streamplatform/v1/ChannelService.ts";
import type { EventServiceClient } from "./generated/streamplatform/v1/EventService.ts";
import type { MailAddress__Output } from "./generated/streamplatform/v1/MailAddress.ts";
import type { SubscriptionServiceClient } from "./generated/streamplatform/v1/SubscriptionService.ts";
import type { Target } from "./generated/streamplatform/v1/Target.ts";
import type { VideoEvent__Output } from "./generated/streamplatform/v1/VideoEvent.ts";
import type { VideoEvents__Output } from "./generated/streamplatform/v1/VideoEvents.ts";
import { accountsProto, channelsProto, eventsProto, subscriptionsProto } from "./load.ts";
import { traceCalls } from "./tracing.ts";

export type { Channel__Output as Channel } from "./generated/streamplatform/v1/Channel.ts";
export type { Target } from "./generated/streamplatform/v1/Target.ts";

export function serviceAddress(knativeService: string): string {
  const variable = serviceAddressVariable(knativeService);
  const address = process.env[variable];
  if (!address) throw new Error(`${variable} is not set: where does ${knativeService} listen?`);
  return address;
}

/** Every call carries the platform-internal token, which gRPC servers require (grpc-host.ts). */
const withInternalToken: grpc.Interceptor = (options, nextCall) =>
  new grpc.InterceptingCall(nextCall(options), {
    start: (metadata, listener, next) => {
      for (const [name, value] of Object.entries(internalAuthorization()))
        metadata.set(name, value);
      next(metadata, listener);
    },
  });
const clientOptions = (): grpc.ClientOptions => ({
  interceptors: [withInternalToken, traceCalls],
});

/** A unary call as a promise, with a deadline. */
function unary<T>(
  call: (
    options: grpc.CallOptions,
    done: (error: grpc.ServiceError | null, value?: T) => void,
  ) => void,
  deadlineMs: number,
): Promise<T> {
  return new Promise((resolve, reject) =>
    call({ deadline: Date.now() + deadlineMs }, (error, value) =>
      error || value === undefined ? reject(error) : resolve(value),
    ),
  );
}

export class AccountsClient {
  private readonly client: AccountServiceClient;

  constructor(address = serviceAddress("accounts-grpc")) {
    this.client = new (accountsProto().AccountService)(
      address,
      grpc.credentials.createInsecure(),
      clientOptions(),
    );
  }

  /**
   * The account; rejects with NOT_FOUND when there is none (never made, or deleted), or when
   * `sessionId` is given and that session was ended.
   */
  getAccount(id: string, sessionId?: string, deadlineMs = 3000): Promise<Account__Output> {
    return unary(
      (options, done) => this.client.GetAccount({ id, sessionId }, options, done),
      deadlineMs,
    );
  }

  /** Where to mail the person (and whether they verified it); NOT_FOUND as getAccount. */
  getMailAddress(id: string, deadlineMs = 3000): Promise<MailAddress__Output> {
    return unary((options, done) => this.client.GetMailAddress({ id }, options, done), deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}

export class ChannelsClient {
  private readonly client: ChannelServiceClient;

  constructor(address = serviceAddress("accounts-grpc")) {
    this.client = new (channelsProto().ChannelService)(
      address,
      grpc.credentials.createInsecure(),
      clientOptions(),
    );
  }

  /** The channel of a stream key; rejects with PERMISSION_DENIED for an unknown or rotated key. */
  authorizePublish(streamKey: string, deadlineMs = 5000): Promise<Channel__Output> {
    return unary(
      (options, done) => this.client.AuthorizePublish({ streamKey }, options, done),
      deadlineMs,
    );
  }

  getChannel(id: string, deadlineMs = 5000): Promise<Channel__Output> {
    return unary((options, done) => this.client.GetChannel({ id }, options, done), deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}

export class SubscriptionsClient {
  private readonly client: SubscriptionServiceClient;

  constructor(address = serviceAddress("accounts-grpc")) {
    this.client = new (subscriptionsProto().SubscriptionService)(
      address,
      grpc.credentials.createInsecure(),
      clientOptions(),
    );
  }

  /** Every subscriber of any of the targets, once each, as they stream in. */
  async *listSubscribers(targets: Target[]): AsyncGenerator<string> {
    for await (const batch of this.listSubscriberBatches(targets)) yield* batch;
  }

  /** The same, a batch (up to 1,000 ids) at a time: cheaper for bulk work such as a fan-out. */
  async *listSubscriberBatches(targets: Target[]): AsyncGenerator<string[]> {
    const call = this.client.ListSubscribers({ targets });
    for await (const batch of call as AsyncIterable<{ userIds: string[] }>) yield batch.userIds;
  }

  close(): void {
    this.client.close();
  }
}

export class EventsClient {
  private readonly client: EventServiceClient;

  constructor(address = serviceAddress("events-grpc")) {
    this.client = new (eventsProto().EventService)(
      address,
      grpc.credentials.createInsecure(),
      clientOptions(),
    );
  }

  /** The event a stream on the channel belongs to; rejects with NOT_FOUND when there is none. */
  getCurrentEvent(channelId: string, deadlineMs = 5000): Promise<VideoEvent__Output> {
    return unary(
      (options, done) => this.client.GetCurrentEvent({ channelId }, options, done),
      deadlineMs,
    );
  }

  /** One event (with its channel's owner); rejects with NOT_FOUND when there is none. */
  getEvent(id: string, deadlineMs = 5000): Promise<VideoEvent__Output> {
    return unary((options, done) => this.client.GetEvent({ id }, options, done), deadlineMs);
  }

  /** Several events by id (at most 100): those that exist, in no particular order. */
  async getEvents(ids: string[], deadlineMs = 5000): Promise<VideoEvent__Output[]> {
    if (ids.length === 0) return [];
    const reply = await unary<VideoEvents__Output>(
      (options, done) => this.client.GetEvents({ ids }, options, done),
      deadlineMs,
    );
    return reply.events;
  }

  close(): void {
    this.client.close();
  }
}
