// The notifications function's state, one per process: MongoDB, the inbox, the publisher and
// the subscriptions client; indexes created once at start (retried until they are).
import { GrpcDirectory, grpcClient, startupWork } from "@stream-platform/shared";
import { onShutdown } from "@stream-platform/shared/hosting";
import { createKafka, EventPublisher } from "@stream-platform/shared/kafka";
import { Mailer } from "@stream-platform/shared/mail";
import { createMongoClient, DocumentLocks } from "@stream-platform/shared/mongodb";
import { EmailStore } from "./email-store.ts";
import { Emailer } from "./emailer.ts";
import { Fanout } from "./fanout.ts";
import { SettingsStore } from "./settings-store.ts";
import { InboxStore } from "./store.ts";

export const mongo = createMongoClient();
const db = mongo.db(process.env.NOTIFICATIONS_DB ?? "notifications");
export const store = new InboxStore(db);
export const emails = new EmailStore(db);
export const settings = new SettingsStore(db);
export const publisher = new EventPublisher(createKafka("notifications"));

/** Only the fan-out needs them: who to tell, and the channel's title to tell them. */
const subscribers = grpcClient((grpc) => new grpc.SubscriptionsClient());
const channels = grpcClient((grpc) => new grpc.ChannelsClient());
// A channel's title never changes: asked once per channel (NOT_FOUND: no such channel).
const channelTitles = new GrpcDirectory(
  async (channelId) => (await (await channels()).getChannel(channelId)).title,
);
/** Only mail needs them: the address of a person, asked when a mail goes out. */
const accounts = grpcClient((grpc) => new grpc.AccountsClient());
const mailer = new Mailer();

/** Sends notification mail; started by the targets that queue it (fan-out, digest). */
export const emailer = new Emailer(
  emails,
  store,
  accounts,
  mailer,
  // Held while one mail goes out: longer than an SMTP server may take to answer.
  new DocumentLocks(db, 120_000),
);

export const fanout = new Fanout(
  store,
  settings,
  {
    async *listSubscriberBatches(targets) {
      yield* (await subscribers()).listSubscriberBatches(targets);
    },
  },
  publisher,
  emailer,
  (channelId) => channelTitles.lookup(channelId),
);

export const ready = startupWork(() =>
  Promise.all([store.ensureIndexes(), emails.ensureIndexes()]),
);

onShutdown(async () => {
  await emailer.stop();
  await mailer.close();
  await publisher.disconnect();
  subscribers.close();
  channels.close();
  accounts.close();
  await mongo.close();
});
