// Facts another function owns that never change (a channel's slug, an event's owner): asked
// over gRPC once each and kept in a bounded cache. NOT_FOUND is an answer (undefined), and so is
// INVALID_ARGUMENT (an id that cannot name anything: retrying it would only hold a sink's
// partition for minutes); any other failure is thrown, so the caller fails and is retried
// rather than going on without.
import { BoundedMap } from "../util/bounded-map.ts";
import { GrpcStatus, isGrpcStatus } from "./status.ts";

export class GrpcDirectory<T> {
  private readonly cache: BoundedMap<string, T>;

  constructor(
    private readonly fetch: (id: string) => Promise<T>,
    maxEntries = 10_000,
  ) {
    this.cache = new BoundedMap(maxEntries);
  }

  /** What is already known (from an event that carried it, say). */
  remember(id: string, value: T): void {
    this.cache.set(id, value);
  }

  /** The value; undefined when the other function says there is no such thing. */
  async lookup(id: string): Promise<T | undefined> {
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    try {
      const value = await this.fetch(id);
      this.cache.set(id, value);
      return value;
    } catch (error) {
      if (
        isGrpcStatus(error, GrpcStatus.NOT_FOUND) ||
        isGrpcStatus(error, GrpcStatus.INVALID_ARGUMENT)
      )
        return undefined;
      throw error;
    }
  }
}
