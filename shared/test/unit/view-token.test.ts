// View tokens, with values: what a token binds, and every way a forgery fails.
import { describe, expect, it } from "vitest";
import {
  permits,
  readViewToken,
  signViewToken,
  VIEW_TOKEN_TTL_SECONDS,
  viewGrant,
} from "../../src/auth/view-token.ts";

const secret = "a test secret of at least thirty-two characters";
const now = Date.parse("2030-01-01T18:00:00Z");
const g = { ...viewGrant("evt_1", now), eventId: "evt_1" };
const token = signViewToken(g, secret);

describe("view tokens", () => {
  it("carry the grant: a viewer and session chosen by the platform, the event, the expiry", () => {
    process.env.JWT_SECRET = secret;
    expect(readViewToken(token)).toEqual(g);
    expect(g.expiresAt).toBe(now / 1000 + VIEW_TOKEN_TTL_SECONDS);
    expect(viewGrant("evt_1", now, "v-kept").viewerId).toBe("v-kept");
    expect(viewGrant("evt_1", now).sessionId).not.toBe(g.sessionId);
  });

  it("carry a signed-in person's user id when given one, and only then", () => {
    process.env.JWT_SECRET = secret;
    const mine = viewGrant("evt_1", now, "v-kept", "user-1");
    expect(readViewToken(signViewToken(mine, secret))).toEqual(mine);
    expect(readViewToken(token)).not.toHaveProperty("userId");
    const [payload] = signViewToken({ ...mine, userId: undefined }, secret).split(".");
    expect(JSON.parse(Buffer.from(payload ?? "", "base64url").toString())).toHaveLength(4);
  });

  it("permit beats of their own viewer, session and event until they expire (and a grace)", () => {
    process.env.JWT_SECRET = secret;
    const beat = { viewerId: g.viewerId, sessionId: g.sessionId, eventId: "evt_1" };
    expect(permits(token, beat, now)).toBe(true);
    expect(permits(token, { ...beat, viewerId: "v-other" }, now)).toBe(false);
    expect(permits(token, { ...beat, sessionId: "s-other" }, now)).toBe(false);
    expect(permits(token, { ...beat, eventId: "evt_2" }, now)).toBe(false);
    const expiry = g.expiresAt * 1000;
    expect(permits(token, beat, expiry + 600_000)).toBe(true);
    expect(permits(token, beat, expiry + 600_001)).toBe(false);
  });

  it("are refused when altered, signed with another key, or not tokens at all", () => {
    process.env.JWT_SECRET = secret;
    const [payload, signature] = token.split(".");
    const other = Buffer.from(JSON.stringify(["v-me", g.sessionId, "evt_1", g.expiresAt])).toString(
      "base64url",
    );
    expect(readViewToken(`${other}.${signature}`)).toBeUndefined();
    expect(readViewToken(`${payload}.${signature?.slice(1)}`)).toBeUndefined();
    expect(readViewToken(signViewToken(g, `${secret} but not ours`))).toBeUndefined();
    for (const junk of ["", ".", "a.b", `${token}.x`, "made.up"])
      expect(readViewToken(junk)).toBeUndefined();
  });
});
