// The HTTP API (through the edge), one route a line: the handlers are in the file of their
// resource. Every write checks who is asking.
import { Router } from "@stream-platform/shared";
import type { Mailer } from "@stream-platform/shared/mail";
import { accountHandlers } from "./accounts.ts";
import { channelHandlers } from "./channels.ts";
import { emailHandlers } from "./email.ts";
import type { Store } from "./store.ts";
import { type EventDirectory, subscriptionHandlers } from "./subscriptions.ts";

export function routes(store: Store, events: EventDirectory, mailer: Mailer): Router {
  const accounts = accountHandlers(store, mailer);
  const email = emailHandlers(store, mailer);
  const channels = channelHandlers(store);
  const subscriptions = subscriptionHandlers(store, events);
  return (
    new Router()
      // Accounts and sessions (accounts.ts)
      .on("POST", "/api/users", accounts.signUp)
      .on("POST", "/api/sessions", accounts.signIn)
      .on("DELETE", "/api/sessions", accounts.signOut)
      .on("GET", "/api/me/sessions", accounts.sessions)
      .on("DELETE", "/api/me/sessions", accounts.endSessions)
      .on("POST", "/api/me/password", accounts.changePassword)
      .on("GET", "/api/me", accounts.me)
      .on("DELETE", "/api/me", accounts.deleteAccount)
      // Password reset and address verification by mailed links (email.ts)
      .on("POST", "/api/password-resets", email.requestReset)
      .on("POST", "/api/password-resets/complete", email.completeReset)
      .on("POST", "/api/email-verifications", email.verify)
      .on("POST", "/api/me/email-verification", email.resendVerification)
      // Channels and stream keys (channels.ts)
      .on("POST", "/api/channels", channels.create)
      .on("GET", "/api/me/channels", channels.mine)
      .on("GET", "/api/channels/:idOrSlug", channels.get)
      .on("GET", "/api/channels/:id/stream-key", channels.streamKey)
      .on("POST", "/api/channels/:id/stream-key", channels.rotateStreamKey)
      .on("GET", "/api/channels/:id/subscribers/count", channels.subscriberCount)
      // Subscriptions (subscriptions.ts)
      .on("PUT", "/api/subscriptions/channels/:id", subscriptions.followChannel)
      .on("DELETE", "/api/subscriptions/channels/:id", subscriptions.unfollowChannel)
      .on("PUT", "/api/subscriptions/events/:id", subscriptions.followEvent)
      .on("DELETE", "/api/subscriptions/events/:id", subscriptions.unfollowEvent)
      .on("GET", "/api/me/subscriptions", subscriptions.mine)
      .on("GET", "/api/users/:id/subscriptions", subscriptions.ofUser)
  );
}
