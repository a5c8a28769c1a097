// A Map that forgets its least recently used entries beyond a size: a cache of facts that do not
// change (a channel's slug, an event's owner), or rate-limit buckets, without growing for ever.
// Least recently used, not oldest: a flood of new keys must not push out a bucket that is being
// spent right now (a limit that resets for whoever floods).
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly maxEntries: number) {
    super();
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    // A Map iterates in insertion order: moving the key to the end marks it as used.
    const value = super.get(key) as V;
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    else if (this.size >= this.maxEntries) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
