// Functions-framework targets of the notifications function (run with shared/src/hosting/main.ts):
//   api     HTTP: /api/me/notifications…
//   fanout  CloudEvents from the events and users topics (KafkaSource)
//   digest  the PingSource's daily tick: the digest mail of those who asked for it
import { http } from "@google-cloud/functions-framework";
import { cloudEventTarget, pingTarget, whenReady } from "@stream-platform/shared/hosting";
import { routes } from "./http.ts";
import { emailer, emails, fanout, ready, settings, store } from "./service.ts";

const router = routes(store, emails, settings);
http(
  "api",
  whenReady(ready, (req, res) => router.handle(req, res)),
);

// The targets that queue mail send it: right after queueing, and in a sweep for leftovers.
const sendMail = () => {
  emailer.start(ready);
  void emailer.flush();
};

// Which news each event.* CloudEvent is for its followers.
const sink = cloudEventTarget()
  .on("streamplatform.event.created", (event) => fanout.notify("event.scheduled", event))
  .on("streamplatform.event.updated", (event) => fanout.notify("event.updated", event))
  .on("streamplatform.event.reminder", (event) => fanout.notify("event.reminder", event))
  .on("streamplatform.event.live", (event) => fanout.notify("event.live", event))
  .on("streamplatform.event.cancelled", (event) => fanout.notify("event.cancelled", event))
  // People the recommendations function found for a new event (not its followers).
  .on("streamplatform.event.recommended", (event) => fanout.recommend(event))
  // A deleted account's inbox goes with it (from the users topic).
  .on("streamplatform.user.deleted", (event) =>
    Promise.all([
      store.deleteInbox(event.data.userId),
      emails.forget(event.data.userId),
      settings.forget(event.data.userId),
    ]),
  );
http("fanout", whenReady(ready, sink.handle, sendMail));

http(
  "digest",
  whenReady(
    ready,
    pingTarget(async () => {
      emailer.start(ready);
      const queued = await emailer.queueDigests();
      // Answered once sent (or given up for now): a run's work is done when it answers.
      await emailer.flush();
      return { queued };
    }),
  ),
);
