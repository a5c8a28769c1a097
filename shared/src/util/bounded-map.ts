// A Map that forgets its oldest entries beyond a size: a cache of facts that do not change
// (a channel's slug, an event's owner) without growing for ever.
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.maxEntries) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
