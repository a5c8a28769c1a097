// posterOf: where an event's picture is, from its state (#26 item 4).
import { describe, expect, it } from "vitest";
import { posterOf } from "../../src/api/views.ts";

describe("posterOf", () => {
  it("names the poster stream-server wrote, and its small twin, while live and once ended", () => {
    for (const status of ["live", "ended"] as const)
      expect(posterOf({ status, posterPath: "/hls/evt_1/poster-vod.jpg" })).toEqual({
        posterUrl: "/hls/evt_1/poster-vod.jpg",
        posterSmallUrl: "/hls/evt_1/poster-vod-small.jpg",
      });
  });
  it("names none for an event without one, or a cancelled one", () => {
    expect(posterOf({ status: "live" })).toEqual({});
    expect(posterOf({ status: "ended", posterPath: null })).toEqual({});
    expect(posterOf({ status: "cancelled", posterPath: "/hls/evt_1/poster.jpg" })).toEqual({});
  });

  it("names a scheduled event's uploaded poster and its small twin", () => {
    expect(posterOf({ status: "scheduled", posterPath: "/hls/posters/evt_1-ab.jpg" })).toEqual({
      posterUrl: "/hls/posters/evt_1-ab.jpg",
      posterSmallUrl: "/hls/posters/evt_1-ab-small.jpg",
    });
  });
});
