// "For you" with the real servers (#26 item 2): people watch recordings through the analytics
// beacons, analytics tells their history (history.updated) through Kafka, the learn sink keeps
// it, and GET /api/me/recommendations ranks from it: what those who watched the same also
// watched first, with its reason, never what the person watched; clearing the history clears
// what it taught; the API is each person's own.
import {
  api,
  endedEvent,
  newUser,
  type TestUser,
  uniqueSlug,
  until,
  watchAs,
} from "@stream-platform/shared/testing";
import { beforeAll, describe, expect, it } from "vitest";

interface Recommendation {
  eventId: string;
  title: string;
  reason: { kind: string; text: string; eventId?: string };
}

let owner: TestUser;
let viewer: TestUser;
const tag = uniqueSlug("taste");
const category = `cooking-${tag.slice(-6)}`;
const titles = {
  first: `Knife skills ${tag}`,
  second: `Sauces ${tag}`,
  third: `Bread ${tag}`,
  elsewhere: `Pruning roses ${tag}`,
};
const ids: Record<keyof typeof titles, string> = {
  first: "",
  second: "",
  third: "",
  elsewhere: "",
};

/** `person` watches `seconds` of each event, through the beacon API (as the player does). */
async function watch(person: TestUser, eventIds: string[], seconds = 40): Promise<void> {
  for (const eventId of eventIds) await watchAs(person.token, eventId, seconds);
}

const forYou = async (person: TestUser, query = "?limit=50") => {
  const answer = await api<{ items: Recommendation[] }>(`/api/me/recommendations${query}`, {
    token: person.token,
  });
  expect(answer.status).toBe(200);
  return answer.body.items;
};

describe("recommendations", () => {
  beforeAll(async () => {
    [owner, viewer] = await Promise.all([newUser("recs-creator"), newUser("recs-viewer")]);
    const channel = await api<{ id: string }>("/api/channels", {
      token: owner.token,
      body: { slug: uniqueSlug("recs"), title: "Kitchen and garden" },
    });
    expect(channel.status).toBe(201);
    for (const key of Object.keys(titles) as (keyof typeof titles)[])
      ids[key] = await endedEvent(owner.token, {
        channelId: channel.body.id,
        title: titles[key],
        category: key === "elsewhere" ? `garden-${tag.slice(-6)}` : category,
        tags: [tag],
      });
    // Three people watched all three cooking recordings; one watched the garden one.
    const crowd = await Promise.all([1, 2, 3].map((n) => newUser(`recs-cook-${n}`)));
    for (const person of crowd) await watch(person, [ids.first, ids.second, ids.third]);
    await watch(await newUser("recs-gardener"), [ids.elsewhere]);
  }, 120_000);

  it("ranks what those who watched the same also watched first, saying why, never what was watched", async () => {
    await watch(viewer, [ids.first]);
    const items = await until(
      "the viewer's history and the crowd's in the recommendations",
      async () => {
        const list = await forYou(viewer);
        // Until the viewer's watch reaches their history the list is trending, where the crowd's
        // three cooking items may happen to lead too: wait for a reason that comes from it.
        const fromHistory = list.some((r) => r.reason.kind === "watched");
        const ranks = [ids.second, ids.third].map((id) => list.findIndex((r) => r.eventId === id));
        return fromHistory && ranks.every((rank) => rank >= 0 && rank < 2) ? list : undefined;
      },
      90_000,
      500,
    );
    expect(items.map((r) => r.eventId)).not.toContain(ids.first);
    const garden = items.findIndex((r) => r.eventId === ids.elsewhere);
    expect(garden === -1 || garden > 1).toBe(true);
    expect(items[0]?.reason).toEqual({
      kind: "watched",
      eventId: ids.first,
      text: `Because you watched ${titles.first}`,
    });
  });

  it("forgets what a cleared history taught", async () => {
    expect((await api("/api/me/history", { method: "DELETE", token: viewer.token })).status).toBe(
      204,
    );
    // Nothing of the viewer's is left to rank from: no "because you watched", and what they
    // watched may be proposed again.
    await until(
      "the recommendations without the viewer's history",
      async () => {
        const list = await forYou(viewer);
        return list.length > 0 && list.every((r) => r.reason.kind !== "watched") ? true : undefined;
      },
      60_000,
      500,
    );
  });

  it("is each person's own: 401 signed out, 400 naming a bad limit", async () => {
    const anonymous = await api("/api/me/recommendations");
    expect(anonymous.status).toBe(401);
    const bad = await api<{ errors: { field: string }[] }>("/api/me/recommendations?limit=500", {
      token: viewer.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(["limit"]);
    // A person with no history gets what is trending, not someone else's list.
    const newcomer = await newUser("recs-newcomer");
    const theirs = await forYou(newcomer, "?limit=5");
    expect(theirs.length).toBeLessThanOrEqual(5);
    expect(theirs.every((r) => ["trending", "live"].includes(r.reason.kind))).toBe(true);
  });
});
