// A room's messages: posting (the rules of domain.ts, then the message and its CloudEvent in one
// transaction), reading (the last 50 on join, what came after a message on reconnect, from an
// offset for replay) and deleting (moderators).
import {
  clientAddress,
  createEvent,
  forbidden,
  type Handler,
  HttpProblem,
  notFound,
  parseInput,
  requireSession,
} from "@stream-platform/shared";
import {
  canModerate,
  checkPost,
  cleanText,
  offsetSeconds,
  type Refusal,
  roomOpen,
} from "./domain.ts";
import { eventId, historyQuery, messageId, postBody } from "./schemas.ts";
import { addressLimit, authors, personLimit, type Room, relay, roomOf } from "./service.ts";
import { type ChatStore, type Message, newMessageId } from "./store.ts";

export const SOURCE = "/functions/chat";

export function refusal(r: Refusal): HttpProblem {
  const titles = { 400: "Invalid request", 403: "Forbidden", 429: "Too many requests" };
  return new HttpProblem({
    status: r.status,
    title: titles[r.status],
    detail: r.reason,
    ...(r.field && { errors: [{ field: r.field, detail: r.reason }] }),
    ...(r.retryAfter !== undefined && { retryAfter: r.retryAfter }),
  });
}

export async function requireRoom(id: string | undefined): Promise<Room> {
  const parsed = parseInput(eventId, id, "id");
  const room = await roomOf(parsed);
  if (!room) throw notFound(`no event ${parsed}`);
  return room;
}

/** Whether the person may moderate the room's channel: its owner or a moderator they named. */
export async function moderates(
  store: ChatStore,
  room: Pick<Room, "channelId" | "ownerId">,
  userId: string,
) {
  return (
    userId === room.ownerId ||
    canModerate(userId, room.ownerId, await store.moderators(room.channelId))
  );
}

export function messageHandlers(store: ChatStore) {
  const post: Handler = async ({ req, params }) => {
    const { userId } = await requireSession(req);
    addressLimit.check(clientAddress(req), "messages from this address");
    personLimit.check(userId, "messages");
    const body = parseInput(postBody, req.body ?? {});
    const cleaned = cleanText(body.text);
    if ("status" in cleaned) throw refusal(cleaned);
    const room = await requireRoom(params.id);
    if (!roomOpen(room.status))
      throw new HttpProblem({
        status: 409,
        title: "Conflict",
        detail: `the event is ${room.status}: its chat is closed`,
      });
    const now = new Date();
    const [context, author] = await Promise.all([
      store.postContext(room.channelId, room.eventId, userId),
      authors.lookup(userId),
    ]);
    const { rules, follows, ban, lastPostAt, startedAt } = context;
    const isModerator = userId === room.ownerId || context.moderator;
    const refused = checkPost(
      rules,
      { moderates: isModerator, follows, ban, lastPostAt },
      cleaned.text,
      now,
    );
    if (refused) throw refusal(refused);
    const offset = offsetSeconds(now, startedAt);
    const message: Message = {
      id: newMessageId(),
      eventId: room.eventId,
      channelId: room.channelId,
      userId,
      author: author ?? "someone",
      text: cleaned.text,
      sentAt: now.toISOString(),
      ...(offset !== undefined && { offsetSeconds: offset }),
    };
    const posted = createEvent({
      id: message.id,
      type: "streamplatform.chat.posted",
      source: SOURCE,
      subject: message.eventId,
      data: {
        messageId: message.id,
        eventId: message.eventId,
        channelId: message.channelId,
        userId: message.userId,
        author: message.author,
        text: message.text,
        sentAt: message.sentAt,
        ...(message.offsetSeconds !== undefined && { offsetSeconds: message.offsetSeconds }),
      },
    });
    const stored = await store.post(message, isModerator ? 0 : rules.slowModeSeconds, posted);
    // Another post of theirs took the slow-mode slot in the meantime.
    if (!stored)
      throw refusal({
        status: 429,
        reason: `slow mode: one message every ${rules.slowModeSeconds} s`,
        retryAfter: Math.max(1, rules.slowModeSeconds),
      });
    // Its outbox row waits for this (a claim of the writer's): no relay transaction per post.
    relay.publishClaimed([posted]);
    return { status: 201, body: stored };
  };

  const history: Handler = async ({ params, query }) => {
    const id = parseInput(eventId, params.id, "id");
    const input = parseInput(historyQuery, Object.fromEntries(query));
    return { status: 200, body: await store.history(id, input) };
  };

  const remove: Handler = async ({ req, params }) => {
    const { userId } = await requireSession(req);
    const id = parseInput(messageId, params.id, "id");
    const message = await store.message(id);
    if (!message) throw notFound(`no message ${id}`);
    const room = await requireRoom(message.eventId);
    if (!(await moderates(store, room, userId)))
      throw forbidden("only the channel's owner and its moderators delete messages");
    const at = new Date();
    await store.deleteMessage(
      message,
      userId,
      at,
      createEvent({
        type: "streamplatform.chat.deleted",
        source: SOURCE,
        subject: message.eventId,
        data: {
          messageId: id,
          eventId: message.eventId,
          channelId: message.channelId,
          deletedBy: userId,
          deletedAt: at.toISOString(),
        },
      }),
    );
    // Published at once rather than at the next sweep.
    void relay.flush();
    return { status: 204 };
  };

  return { post, history, remove };
}
