// The platform's HTTP routes as a table (method, route as its function declares it, a path and
// body built from fixtures, and who gets which status), shared by the access matrix and the
// bad-input properties.
import { randomUUID } from "node:crypto";
import {
  api,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
  viewTokenFor,
} from "@stream-platform/shared/testing";

export type Who = "anonymous" | "other" | "owner";

export interface Fixtures {
  owner: TestUser;
  other: TestUser;
  channelId: string;
  slug: string;
  eventId: string;
  /** A chat message `other` posted in the event's room. */
  messageId: string;
}

export interface Row {
  method: string;
  /** The route as its function declares it. */
  route: string;
  path: (f: Fixtures) => string;
  body?: (f: Fixtures) => unknown;
  expect: Record<Who, number>;
  /**
   * It ends sessions (signing out, everywhere, a password change): asked on a session of its
   * own, after which the fixtures' people sign in again.
   */
  revokes?: boolean;
}

const everyone = (status: number) => ({ anonymous: status, other: status, owner: status });
const signedIn = (status: number) => ({ anonymous: 401, other: status, owner: status });
const ownerOnly = (status: number) => ({ anonymous: 401, other: 403, owner: status });
/** The operator console: nobody of the fixtures holds the role (functions/ops/test covers those who do). */
const operatorsOnly = { anonymous: 401, other: 403, owner: 403 };
/** Somebody the chat rows ban and let back in: nobody's account. */
const chatStranger = randomUUID();
export const inTwoHours = () => new Date(Date.now() + 2 * 3_600_000).toISOString();

// Writes that change what later rows see come last (the owner cancels the event at the end).
export const ROWS: Row[] = [
  {
    method: "POST",
    route: "/api/users",
    path: () => "/api/users",
    expect: everyone(202),
    body: () => ({
      email: `m-${randomUUID()}@example.org`,
      password: "a long password",
      displayName: "M",
    }),
  },
  {
    method: "POST",
    route: "/api/sessions",
    path: () => "/api/sessions",
    expect: everyone(200),
    body: (f) => ({ email: f.owner.email, password: f.owner.password }),
  },
  {
    method: "DELETE",
    route: "/api/sessions",
    path: () => "/api/sessions",
    expect: everyone(204),
    revokes: true,
  },
  {
    method: "GET",
    route: "/api/me/sessions",
    path: () => "/api/me/sessions",
    expect: signedIn(200),
  },
  // The password stays the same (later rows need it); another person's password is not the owner's.
  {
    method: "POST",
    route: "/api/me/password",
    path: () => "/api/me/password",
    body: (f) => ({ currentPassword: f.owner.password, newPassword: f.owner.password }),
    expect: { anonymous: 401, other: 403, owner: 204 },
    revokes: true,
  },
  {
    method: "DELETE",
    route: "/api/me/sessions",
    path: () => "/api/me/sessions",
    expect: signedIn(204),
    revokes: true,
  },
  { method: "GET", route: "/api/me", path: () => "/api/me", expect: signedIn(200) },
  // Mailed links: anyone may ask for a reset (the same answer for every address) or use a link;
  // a made-up token is refused. Only a signed-in person has a verification link mailed again.
  {
    method: "POST",
    route: "/api/password-resets",
    path: () => "/api/password-resets",
    body: (f) => ({ email: f.owner.email }),
    expect: everyone(202),
  },
  {
    method: "POST",
    route: "/api/password-resets/complete",
    path: () => "/api/password-resets/complete",
    body: () => ({ token: "A".repeat(43), password: `pw-${randomUUID()}` }),
    expect: everyone(400),
  },
  {
    method: "POST",
    route: "/api/email-verifications",
    path: () => "/api/email-verifications",
    body: () => ({ token: "A".repeat(43) }),
    expect: everyone(400),
  },
  {
    method: "POST",
    route: "/api/me/email-verification",
    path: () => "/api/me/email-verification",
    expect: signedIn(202),
  },
  {
    method: "GET",
    route: "/api/me/channels",
    path: () => "/api/me/channels",
    expect: signedIn(200),
  },
  {
    method: "GET",
    route: "/api/me/subscriptions",
    path: () => "/api/me/subscriptions",
    expect: signedIn(200),
  },
  {
    method: "POST",
    route: "/api/channels",
    path: () => "/api/channels",
    expect: signedIn(201),
    body: () => ({ slug: uniqueSlug("matrix"), title: "Matrix" }),
  },
  {
    method: "GET",
    route: "/api/channels/:idOrSlug",
    path: (f) => `/api/channels/${f.slug}`,
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/channels/:id/stream-key",
    path: (f) => `/api/channels/${f.channelId}/stream-key`,
    expect: ownerOnly(200),
  },
  {
    method: "POST",
    route: "/api/channels/:id/stream-key",
    path: (f) => `/api/channels/${f.channelId}/stream-key`,
    expect: ownerOnly(200),
  },
  // A poster is the event's owner's to give (a JSON body is no picture: 415 once allowed).
  {
    method: "PUT",
    route: "/api/streams/events/:eventId/poster",
    path: (f) => `/api/streams/events/${f.eventId}/poster`,
    body: () => ({ not: "a picture" }),
    expect: { anonymous: 401, other: 403, owner: 415 },
  },
  {
    method: "GET",
    route: "/api/streams/:id/health",
    path: (f) => `/api/streams/${f.channelId}/health`,
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/channels/:id/subscribers/count",
    path: (f) => `/api/channels/${f.channelId}/subscribers/count`,
    expect: everyone(200),
  },
  {
    method: "PUT",
    route: "/api/subscriptions/channels/:id",
    path: (f) => `/api/subscriptions/channels/${f.channelId}`,
    // Nobody subscribes to their own channel.
    expect: { anonymous: 401, other: 201, owner: 409 },
  },
  {
    method: "DELETE",
    route: "/api/subscriptions/channels/:id",
    path: (f) => `/api/subscriptions/channels/${f.channelId}`,
    expect: signedIn(204),
  },
  {
    method: "PUT",
    route: "/api/subscriptions/events/:id",
    path: (f) => `/api/subscriptions/events/${f.eventId}`,
    expect: signedIn(201),
  },
  {
    method: "DELETE",
    route: "/api/subscriptions/events/:id",
    path: (f) => `/api/subscriptions/events/${f.eventId}`,
    expect: signedIn(204),
  },
  {
    method: "GET",
    route: "/api/users/:id/subscriptions",
    path: (f) => `/api/users/${f.owner.id}/subscriptions`,
    expect: ownerOnly(200),
  },
  {
    method: "POST",
    route: "/api/events",
    path: () => "/api/events",
    expect: ownerOnly(201),
    body: (f) => ({ channelId: f.channelId, title: "Matrix event", startsAt: inTwoHours() }),
  },
  { method: "GET", route: "/api/events", path: () => "/api/events?limit=1", expect: everyone(200) },
  {
    method: "GET",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: everyone(200),
  },
  {
    method: "PATCH",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: ownerOnly(200),
    body: () => ({ title: "Matrix event, renamed" }),
  },
  {
    method: "GET",
    route: "/api/me/notifications",
    path: () => "/api/me/notifications",
    expect: signedIn(200),
  },
  {
    method: "POST",
    route: "/api/me/notifications/read-all",
    path: () => "/api/me/notifications/read-all",
    expect: signedIn(200),
  },
  {
    method: "GET",
    route: "/api/me/notifications/email",
    path: () => "/api/me/notifications/email",
    expect: signedIn(200),
  },
  // Everyone changes only their own (the user comes from the session).
  {
    method: "PUT",
    route: "/api/me/notifications/email",
    path: () => "/api/me/notifications/email",
    body: () => ({ reminders: false, live: false, digest: false }),
    expect: signedIn(200),
  },
  {
    method: "GET",
    route: "/api/me/notifications/settings",
    path: () => "/api/me/notifications/settings",
    expect: signedIn(200),
  },
  {
    method: "PUT",
    route: "/api/me/notifications/settings",
    path: () => "/api/me/notifications/settings",
    body: () => ({ recommendations: true }),
    expect: signedIn(200),
  },
  // The token is the credential: a forged one is refused whoever asks (tested in notifications).
  {
    method: "GET",
    route: "/api/notifications/unsubscribe",
    path: () => "/api/notifications/unsubscribe?token=forged.token",
    expect: everyone(400),
  },
  {
    method: "POST",
    route: "/api/notifications/unsubscribe",
    path: () => "/api/notifications/unsubscribe?token=forged.token",
    expect: everyone(400),
  },
  // Nobody's notification: another person's would be a 404 too (tested in notifications).
  {
    method: "POST",
    route: "/api/me/notifications/:id/read",
    path: () => "/api/me/notifications/ntf_000000000000000000000000/read",
    expect: signedIn(404),
  },
  {
    method: "GET",
    route: "/api/search",
    path: () => "/api/search?q=matrix",
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/search/suggest",
    path: () => "/api/search/suggest?q=matrix",
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/events/:id/related",
    path: (f) => `/api/events/${f.eventId}/related`,
    expect: everyone(200),
  },
  // Beacons come from anonymous players by design.
  {
    method: "POST",
    route: "/api/analytics/beacons",
    path: () => "/api/analytics/beacons",
    expect: everyone(202),
    body: (f) => ({
      viewToken: viewTokenFor({
        eventId: f.eventId,
        viewerId: `v-${randomUUID()}`,
        sessionId: `s-${randomUUID()}`,
      }),
      seq: 0,
      position: 0,
    }),
  },
  // View tokens too; the fixture's event is scheduled, so there is nothing to watch yet.
  {
    method: "POST",
    route: "/api/analytics/views",
    path: () => "/api/analytics/views",
    expect: everyone(409),
    body: (f) => ({ eventId: f.eventId }),
  },
  {
    method: "GET",
    route: "/api/analytics/trending",
    path: () => "/api/analytics/trending?limit=3",
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/analytics/events/:id",
    path: (f) => `/api/analytics/events/${f.eventId}`,
    expect: everyone(200),
  },
  {
    method: "GET",
    route: "/api/analytics/events/:id/details",
    path: (f) => `/api/analytics/events/${f.eventId}/details`,
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/analytics/channels/:id",
    path: (f) => `/api/analytics/channels/${f.channelId}`,
    expect: ownerOnly(200),
  },
  // Viewing history: everyone's own (the user comes from the session); nobody watched the
  // fixture's event, so it has no entry.
  {
    method: "GET",
    route: "/api/me/history",
    path: () => "/api/me/history",
    expect: signedIn(200),
  },
  {
    method: "GET",
    route: "/api/me/history/:eventId",
    path: (f) => `/api/me/history/${f.eventId}`,
    expect: signedIn(404),
  },
  {
    method: "DELETE",
    route: "/api/me/history/:eventId",
    path: (f) => `/api/me/history/${f.eventId}`,
    expect: signedIn(204),
  },
  {
    method: "DELETE",
    route: "/api/me/history",
    path: () => "/api/me/history",
    expect: signedIn(204),
  },
  // "For you": everyone's own (the user comes from the session).
  {
    method: "GET",
    route: "/api/me/recommendations",
    path: () => "/api/me/recommendations?limit=5",
    expect: signedIn(200),
  },
  // The operator console.
  {
    method: "GET",
    route: "/api/ops/summary",
    path: () => "/api/ops/summary",
    expect: operatorsOnly,
  },
  {
    method: "GET",
    route: "/api/ops/panels",
    path: () => "/api/ops/panels?minutes=15",
    expect: operatorsOnly,
  },
  {
    method: "GET",
    route: "/api/ops/traces/:traceId",
    path: () => `/api/ops/traces/${"ab".repeat(16)}`,
    expect: operatorsOnly,
  },
  {
    method: "GET",
    route: "/api/ops/dead-letters",
    path: () => "/api/ops/dead-letters",
    expect: operatorsOnly,
  },
  {
    method: "POST",
    route: "/api/ops/dead-letters/:key/replay",
    path: () => "/api/ops/dead-letters/some-key/replay",
    body: () => ({}),
    expect: operatorsOnly,
  },
  // Chat: anyone reads a room and its rules; the owner (and moderators) moderate.
  {
    method: "POST",
    route: "/api/chat/events/:id/messages",
    path: (f) => `/api/chat/events/${f.eventId}/messages`,
    body: () => ({ text: "matrix says hi" }),
    expect: signedIn(201),
  },
  {
    method: "GET",
    route: "/api/chat/events/:id/messages",
    path: (f) => `/api/chat/events/${f.eventId}/messages`,
    expect: everyone(200),
  },
  // Even its author may not delete a message: moderation is the owner's and moderators'.
  {
    method: "DELETE",
    route: "/api/chat/messages/:id",
    path: (f) => `/api/chat/messages/${f.messageId}`,
    expect: ownerOnly(204),
  },
  {
    method: "GET",
    route: "/api/chat/channels/:id/settings",
    path: (f) => `/api/chat/channels/${f.channelId}/settings`,
    expect: everyone(200),
  },
  {
    method: "PATCH",
    route: "/api/chat/channels/:id/settings",
    path: (f) => `/api/chat/channels/${f.channelId}/settings`,
    body: () => ({ slowModeSeconds: 0, blockedWords: ["matrixword"] }),
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/chat/channels/:id/bans",
    path: (f) => `/api/chat/channels/${f.channelId}/bans`,
    expect: ownerOnly(200),
  },
  {
    method: "PUT",
    route: "/api/chat/channels/:id/bans/:userId",
    path: (f) => `/api/chat/channels/${f.channelId}/bans/${chatStranger}`,
    body: () => ({ reason: "matrix", minutes: 1 }),
    expect: ownerOnly(200),
  },
  {
    method: "DELETE",
    route: "/api/chat/channels/:id/bans/:userId",
    path: (f) => `/api/chat/channels/${f.channelId}/bans/${chatStranger}`,
    expect: ownerOnly(204),
  },
  {
    method: "GET",
    route: "/api/chat/channels/:id/log",
    path: (f) => `/api/chat/channels/${f.channelId}/log`,
    expect: ownerOnly(200),
  },
  {
    method: "GET",
    route: "/api/chat/channels/:id/moderators",
    path: (f) => `/api/chat/channels/${f.channelId}/moderators`,
    expect: ownerOnly(200),
  },
  // Named and removed at once, so `other` moderates nothing in the rows after.
  {
    method: "PUT",
    route: "/api/chat/channels/:id/moderators/:userId",
    path: (f) => `/api/chat/channels/${f.channelId}/moderators/${f.other.id}`,
    expect: ownerOnly(201),
  },
  {
    method: "DELETE",
    route: "/api/chat/channels/:id/moderators/:userId",
    path: (f) => `/api/chat/channels/${f.channelId}/moderators/${f.other.id}`,
    expect: ownerOnly(204),
  },
  {
    method: "DELETE",
    route: "/api/events/:id",
    path: (f) => `/api/events/${f.eventId}`,
    expect: ownerOnly(200),
  },
  // Last of all: the owner's account goes (another person's own password is not the owner's).
  {
    method: "DELETE",
    route: "/api/me",
    path: () => "/api/me",
    body: (f) => ({ password: f.owner.password }),
    expect: { anonymous: 401, other: 403, owner: 204 },
  },
];

/** A new session token of the person (signing in again). */
export async function signInAgain(user: TestUser): Promise<string> {
  const session = await api<{ token: string }>("/api/sessions", {
    body: { email: user.email, password: user.password },
  });
  if (session.status !== 200) throw new Error(`sign-in failed: ${session.status}`);
  return session.body.token;
}

/** A channel and a scheduled event of their own for `owner`, and `other`, a stranger to them. */
export async function makeFixtures(name: string): Promise<Fixtures> {
  const [owner, other] = await Promise.all([newUser(`${name}-owner`), newUser(`${name}-other`)]);
  const slug = uniqueSlug(name);
  const channel = await api<{ id: string }>("/api/channels", {
    token: owner.token,
    body: { slug, title: "Fixture channel" },
  });
  const event = await api<{ id: string }>("/api/events", {
    token: owner.token,
    body: { channelId: channel.body.id, title: "Fixture event", startsAt: inTwoHours() },
  });
  if (channel.status !== 201 || event.status !== 201)
    throw new Error(`fixtures: channel ${channel.status}, event ${event.status}`);
  const message = await api<{ id: string }>(`/api/chat/events/${event.body.id}/messages`, {
    token: other.token,
    body: { text: "a fixture message" },
  });
  if (message.status !== 201) throw new Error(`fixtures: chat message ${message.status}`);
  // Indexed by search (Kafka, then the next refresh), which answers its "more like this".
  await until(
    "the fixture event in search",
    async () =>
      (await api(`/api/events/${event.body.id}/related`)).status === 200 ? true : undefined,
    30_000,
    200,
  );
  return {
    owner,
    other,
    slug,
    channelId: channel.body.id,
    eventId: event.body.id,
    messageId: message.body.id,
  };
}
