import { describe, expect, it } from "vitest";
import { LivePlaylist } from "../../src/ll-hls.ts";

const T0 = Date.parse("2026-12-03T18:00:00.000Z");

/** A rendition's playlist as the ladder makes it: 2 s segments of 0.2 s parts. */
function playlist() {
  return new LivePlaylist({
    targetDuration: 2,
    segmentSeconds: 2,
    partTarget: 0.2,
    segmentUri: (msn) => `seg_${msn}.m4s`,
    partUri: (msn, part) => `part_${msn}.${part}.m4s`,
  });
}

/** `count` fragments of 0.2 s, a keyframe every 2 s, as ffmpeg writes them. */
function feed(list: LivePlaylist, count: number, from = 0) {
  const added = [];
  for (let i = from; i < from + count; i++)
    added.push(list.add({ duration: 0.2, independent: i % 10 === 0 }, T0 + i * 200));
  return added;
}

const tagged = (text: string, tag: string) =>
  text.split("\n").filter((line) => line.startsWith(tag));

describe("a low-latency HLS playlist", () => {
  it("closes a segment at the keyframe part that follows its target, and lists its parts", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    const added = feed(list, 25);
    expect(added[10]).toMatchObject({ msn: 1, part: 0, uri: "part_1.0.m4s" });
    expect(added[10]?.closes).toMatchObject({ msn: 0, uri: "seg_0.m4s" });
    expect(added[10]?.closes?.duration).toBeCloseTo(2);
    expect(list.segments.map((s) => s.msn)).toEqual([0, 1]);
    expect(list.current).toMatchObject({ msn: 2 });

    const text = list.render();
    expect(text.startsWith("#EXTM3U\n")).toBe(true);
    expect(tagged(text, "#EXT-X-TARGETDURATION")).toEqual(["#EXT-X-TARGETDURATION:2"]);
    expect(tagged(text, "#EXT-X-SERVER-CONTROL")).toEqual([
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12,PART-HOLD-BACK=0.6",
    ]);
    expect(tagged(text, "#EXT-X-PART-INF")).toEqual(["#EXT-X-PART-INF:PART-TARGET=0.2"]);
    expect(tagged(text, "#EXT-X-MAP")).toEqual(['#EXT-X-MAP:URI="init_0.mp4"']);
    expect(tagged(text, "#EXTINF")).toEqual(["#EXTINF:2,", "#EXTINF:2,"]);
    // All 25 parts are within three target durations of the edge.
    const parts = tagged(text, "#EXT-X-PART:");
    expect(parts).toHaveLength(25);
    expect(parts[0]).toBe('#EXT-X-PART:DURATION=0.2,URI="part_0.0.m4s",INDEPENDENT=YES');
    expect(parts[1]).toBe('#EXT-X-PART:DURATION=0.2,URI="part_0.1.m4s"');
    expect(tagged(text, "#EXT-X-PRELOAD-HINT")).toEqual([
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_2.5.m4s"',
    ]);
    expect(tagged(text, "#EXT-X-PROGRAM-DATE-TIME")).toEqual([
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:00.000Z",
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:02.000Z",
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-03T18:00:04.000Z",
    ]);
    // A segment's parts come before its EXTINF and uri; the open segment has no EXTINF.
    const lines = text.trim().split("\n");
    expect(lines.indexOf("seg_0.m4s")).toBeLessThan(
      lines.indexOf('#EXT-X-PART:DURATION=0.2,URI="part_1.0.m4s",INDEPENDENT=YES'),
    );
    expect(lines.at(-1)).toMatch(/^#EXT-X-PRELOAD-HINT/);
  });

  it("keeps a segment open until a keyframe comes, however long", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    for (let i = 0; i < 14; i++) list.add({ duration: 0.2, independent: i % 12 === 0 }, T0);
    expect(list.segments.map((s) => [s.msn, Math.round(s.duration * 10)])).toEqual([[0, 24]]);
  });

  it("lists parts only near the live edge, and gives their files up once, later", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    feed(list, 105); // 10 segments, and 1 s of the next
    const text = list.render();
    // Those of the segments that start within 6 s of the edge: 8, 9 and the open one.
    expect(tagged(text, "#EXT-X-PART:")).toHaveLength(25);
    expect(tagged(text, "#EXT-X-PART:")[0]).toContain('URI="part_8.0.m4s"');
    expect(tagged(text, "#EXTINF")).toHaveLength(10);

    const dropped = list.dropParts();
    // Those of segments 0 to 3: older than 6 target durations (12 s) from the edge.
    expect(dropped).toHaveLength(40);
    expect(dropped[0]).toBe("part_3.0.m4s");
    expect(dropped).toContain("part_0.9.m4s");
    expect(list.dropParts()).toEqual([]);
    feed(list, 10, 105);
    expect(list.dropParts()).toEqual(Array.from({ length: 10 }, (_, i) => `part_4.${i}.m4s`));
  });

  it("tells a blocking reload when its part or segment is there", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    feed(list, 13); // segment 0 complete, segment 1 has parts 0-2
    expect(list.has({ msn: 0 })).toBe(true);
    expect(list.has({ msn: 1 })).toBe(false);
    expect(list.has({ msn: 1, part: 2 })).toBe(true);
    expect(list.has({ msn: 1, part: 3 })).toBe(false);
    // A part beyond a complete segment's last is the next segment's first.
    expect(list.has({ msn: 0, part: 10 })).toBe(true);
    expect(list.has({ msn: 2, part: 0 })).toBe(false);
    expect(list.tooFar({ msn: 2, part: 0 })).toBe(false);
    expect(list.tooFar({ msn: 3 })).toBe(true);
    // Parts further ahead than 3 s (15 of 0.2 s) of the last one are not held either.
    expect(list.tooFar({ msn: 1, part: 17 })).toBe(false);
    expect(list.tooFar({ msn: 1, part: 18 })).toBe(true);
    expect(list.tooFar({ msn: 2, part: 14 })).toBe(false);
    expect(list.tooFar({ msn: 2, part: 15 })).toBe(true);
    expect(list.tooFar({ msn: 0, part: 99 })).toBe(false);
    feed(list, 7, 13);
    expect(list.has({ msn: 1, part: 9 })).toBe(true);
    expect(list.has({ msn: 1 })).toBe(false);
    feed(list, 1, 20);
    expect(list.has({ msn: 1 })).toBe(true);
    expect(list.has({ msn: 1, part: 10 })).toBe(true);
  });

  it("answers a delta update with the old segments skipped", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    feed(list, 203); // 20 segments
    const full = list.render();
    const delta = list.render(true);
    // 40 s of segments; the last 12 s are kept.
    expect(tagged(delta, "#EXT-X-SKIP")).toEqual(["#EXT-X-SKIP:SKIPPED-SEGMENTS=14"]);
    expect(tagged(delta, "#EXTINF")).toHaveLength(6);
    expect(tagged(full, "#EXTINF")).toHaveLength(20);
    expect(delta).toContain("\nseg_14.m4s\n");
    expect(delta).not.toContain("\nseg_13.m4s\n");
    expect(tagged(delta, "#EXT-X-MAP")).toEqual(['#EXT-X-MAP:URI="init_0.mp4"']);
    // Too short to skip anything: no skip tag.
    const short = playlist();
    short.startRun("init_0.mp4");
    feed(short, 30);
    expect(short.render(true)).toBe(short.render());
  });

  it("marks a new encoder run as a discontinuity with its own init segment", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    feed(list, 15);
    list.startRun("init_1.mp4");
    feed(list, 5, 20);
    const text = list.render();
    // The run's cut closes the open segment, however short.
    expect(tagged(text, "#EXTINF")).toEqual(["#EXTINF:2,", "#EXTINF:1,"]);
    expect(tagged(text, "#EXT-X-MAP")).toEqual([
      '#EXT-X-MAP:URI="init_0.mp4"',
      '#EXT-X-MAP:URI="init_1.mp4"',
    ]);
    const lines = text.split("\n");
    const cut = lines.indexOf("#EXT-X-DISCONTINUITY");
    expect(lines[cut - 1]).toBe("seg_1.m4s");
    expect(lines[cut + 1]).toBe('#EXT-X-MAP:URI="init_1.mp4"');
  });

  it("keeps two hours for seeking back, rendered alike whether after every part or once", () => {
    const everyPart = playlist();
    const once = playlist();
    for (const list of [everyPart, once]) list.startRun("init_0.mp4");
    // 2 hours of 2 s segments, an encoder restart halfway.
    for (let i = 0; i < 36_000; i++) {
      if (i === 18_000) for (const list of [everyPart, once]) list.startRun("init_1.mp4");
      for (const list of [everyPart, once])
        list.add({ duration: 0.2, independent: i % 10 === 0 }, T0 + i * 200);
      everyPart.render();
      if (i % 997 === 0) everyPart.render(true);
    }
    const text = once.render();
    expect(everyPart.render()).toBe(text);
    expect(everyPart.render(true)).toBe(once.render(true));
    expect(tagged(text, "#EXTINF")).toHaveLength(3599); // and the last one, open
    expect(tagged(text, "#EXT-X-DISCONTINUITY")).toHaveLength(1);
    expect(tagged(text, "#EXT-X-MAP")).toHaveLength(2);
    expect(tagged(text, "#EXT-X-PART:").length).toBeLessThanOrEqual(40);
    expect(tagged(once.render(true), "#EXTINF").length).toBeLessThanOrEqual(7);
    // A request for a part long gone (dropped with its segment's parts): answered at once.
    expect(once.dropParts().length).toBeGreaterThan(35_000);
    expect(once.has({ msn: 0, part: 0 })).toBe(true);
    expect(once.has({ msn: 3598, part: 10 })).toBe(true);
  });

  it("ends with ENDLIST, no preload hint, and answers every blocking reload", () => {
    const list = playlist();
    list.startRun("init_0.mp4");
    feed(list, 15);
    const last = list.end();
    expect(last).toMatchObject({ msn: 1 });
    const text = list.render(true);
    expect(text.trim().split("\n").at(-1)).toBe("#EXT-X-ENDLIST");
    expect(text).not.toContain("PRELOAD-HINT");
    expect(list.has({ msn: 9, part: 3 })).toBe(true);
    expect(() => list.add({ duration: 0.2, independent: true }, T0)).toThrow(/ended/);
  });
});
