import { describe, expect, it } from "vitest";
import { Breaker, type Ticket } from "../../src/http/breaker.ts";

const admittedNow = async (ticket: Ticket | undefined) => {
  let admitted = false;
  void ticket?.admitted.then(() => {
    admitted = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return admitted;
};

describe("Breaker (containerConcurrency as Knative's queue-proxy enforces it)", () => {
  it("lets maxConcurrency in at once, queues ten times as many, and refuses the next", async () => {
    const breaker = new Breaker(2);
    expect(breaker.queueDepth).toBe(20);
    const inside = [breaker.enter(), breaker.enter()];
    for (const ticket of inside) expect(await admittedNow(ticket)).toBe(true);
    const queued = Array.from({ length: 20 }, () => breaker.enter());
    expect(queued.every((t) => t !== undefined)).toBe(true);
    expect(await admittedNow(queued[0])).toBe(false);
    expect(breaker.inFlight).toBe(2);
    expect(breaker.queued).toBe(20);
    expect(breaker.enter()).toBeUndefined();
  });

  it("hands a freed place to the longest waiting, in arrival order", async () => {
    const breaker = new Breaker(1, 3);
    const first = breaker.enter() as Ticket;
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => {
      const ticket = breaker.enter() as Ticket;
      void ticket.admitted.then(() => order.push(n));
      return ticket;
    });
    first.leave();
    await waiting[0]?.admitted;
    expect(order).toEqual([1]);
    expect(breaker.inFlight).toBe(1);
    for (const ticket of waiting) {
      await ticket.admitted;
      ticket.leave();
    }
    expect(order).toEqual([1, 2, 3]);
    expect(breaker.inFlight).toBe(0);
    expect(breaker.queued).toBe(0);
  });

  it("frees the spot of one who leaves the line, and never lets it in", async () => {
    const breaker = new Breaker(1, 2);
    const inside = breaker.enter() as Ticket;
    const gone = breaker.enter() as Ticket;
    const next = breaker.enter() as Ticket;
    expect(breaker.enter()).toBeUndefined();
    gone.leave();
    expect(breaker.queued).toBe(1);
    const another = breaker.enter() as Ticket;
    expect(another).toBeDefined();
    inside.leave();
    expect(await admittedNow(next)).toBe(true);
    expect(await admittedNow(gone)).toBe(false);
    next.leave();
    expect(await admittedNow(another)).toBe(true);
    another.leave();
    expect(breaker.inFlight).toBe(0);
  });

  it("counts a place once however often it is left", async () => {
    const breaker = new Breaker(1, 0);
    const ticket = breaker.enter() as Ticket;
    expect(breaker.enter()).toBeUndefined();
    ticket.leave();
    ticket.leave();
    expect(breaker.inFlight).toBe(0);
    const again = breaker.enter();
    expect(breaker.inFlight).toBe(1);
    expect(breaker.enter()).toBeUndefined();
    again?.leave();
  });

  it("refuses a concurrency below one", () => {
    expect(() => new Breaker(0)).toThrow(/at least 1/);
  });
});
