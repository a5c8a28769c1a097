// Each person's history and follows in memory (people.ts), by the store's rules: the latest
// entry wins, clearings and deletions hold against older updates, in any order, any number of
// times.
import { describe, expect, it } from "vitest";
import { People } from "../../src/people.ts";

type Step = (people: People) => void;

/** Every order of `steps`, each applied twice: all must end alike. */
function everyOrder(steps: Step[]): People[] {
  const orders: Step[][] = [];
  const permute = (done: Step[], left: Step[]) => {
    if (left.length === 0) orders.push(done);
    for (const [i, step] of left.entries())
      permute(
        [...done, step],
        left.filter((_, j) => j !== i),
      );
  };
  permute([], steps);
  return orders.map((order) => {
    const people = new People();
    for (const step of [...order, ...order]) step(people);
    return people;
  });
}

describe("people", () => {
  it("keeps the latest entry of each event, whatever the order", () => {
    const results = everyOrder([
      (p) => p.view("ada", "e1", 30, 1_000),
      (p) => p.view("ada", "e1", 90, 3_000),
      (p) => p.view("ada", "e1", 60, 2_000),
      (p) => p.view("ada", "e2", 40, 1_500),
    ]);
    for (const people of results)
      expect(people.of("ada").watched.sort((a, b) => (a.eventId < b.eventId ? -1 : 1))).toEqual([
        { eventId: "e1", seconds: 90, at: 3_000 },
        { eventId: "e2", seconds: 40, at: 1_500 },
      ]);
  });

  it("drops what a clearing covers, and keeps older updates out; later ones come back", () => {
    for (const people of everyOrder([
      (p) => p.view("ada", "e1", 30, 1_000),
      (p) => p.view("ada", "e2", 30, 4_000),
      (p) => p.clear("ada", 2_000),
    ]))
      expect(people.of("ada").watched).toEqual([{ eventId: "e2", seconds: 30, at: 4_000 }]);
    const people = new People();
    people.clear("ada", 2_000);
    expect(people.view("ada", "e1", 30, 1_500)).toBe(false);
    expect(people.of("ada").watched).toEqual([]);
  });

  it("clears one entry: gone until an update after the clearing", () => {
    for (const people of everyOrder([
      (p) => p.view("ada", "e1", 30, 1_000),
      (p) => p.view("ada", "e2", 30, 1_000),
      (p) => p.clear("ada", 2_000, "e1"),
    ]))
      expect(people.of("ada").watched.map((w) => w.eventId)).toEqual(["e2"]);
    const people = new People();
    people.clear("ada", 2_000, "e1");
    people.view("ada", "e1", 45, 2_500);
    expect(people.of("ada").watched).toEqual([{ eventId: "e1", seconds: 45, at: 2_500 }]);
  });

  it("forgets a deleted person for good", () => {
    for (const people of everyOrder([
      (p) => p.view("ada", "e1", 30, 1_000),
      (p) => p.follow("ada", "ch", true, 1_000),
      (p) => p.forget("ada"),
    ]))
      expect(people.of("ada")).toEqual({ watched: [], follows: [] });
  });

  it("keeps the latest follow or unfollow", () => {
    for (const people of everyOrder([
      (p) => p.follow("ada", "ch1", true, 1_000),
      (p) => p.follow("ada", "ch1", false, 2_000),
      (p) => p.follow("ada", "ch2", false, 1_000),
      (p) => p.follow("ada", "ch2", true, 2_000),
    ]))
      expect(people.of("ada").follows).toEqual(["ch2"]);
  });
});
