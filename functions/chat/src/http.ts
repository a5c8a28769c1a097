// The chat API (through the edge: /api/chat…), one route a line; the handlers are in the file of
// their resource. The live stream of a room is stream-server's (GET /api/chat/stream?eventId=).
import { Router } from "@stream-platform/shared";
import { messageHandlers } from "./messages.ts";
import { moderationHandlers } from "./moderation.ts";
import type { ChatStore } from "./store.ts";

export function routes(store: ChatStore): Router {
  const messages = messageHandlers(store);
  const moderation = moderationHandlers(store);
  return (
    new Router()
      // A room's messages (messages.ts)
      .on("POST", "/api/chat/events/:id/messages", messages.post)
      .on("GET", "/api/chat/events/:id/messages", messages.history)
      .on("DELETE", "/api/chat/messages/:id", messages.remove)
      // A channel's moderation (moderation.ts)
      .on("GET", "/api/chat/channels/:id/settings", moderation.settings)
      .on("PATCH", "/api/chat/channels/:id/settings", moderation.changeSettings)
      .on("GET", "/api/chat/channels/:id/moderators", moderation.moderatorsOf)
      .on("PUT", "/api/chat/channels/:id/moderators/:userId", moderation.addModerator)
      .on("DELETE", "/api/chat/channels/:id/moderators/:userId", moderation.removeModerator)
      .on("GET", "/api/chat/channels/:id/bans", moderation.bansOf)
      .on("PUT", "/api/chat/channels/:id/bans/:userId", moderation.ban)
      .on("DELETE", "/api/chat/channels/:id/bans/:userId", moderation.liftBan)
      .on("GET", "/api/chat/channels/:id/log", moderation.log)
  );
}
