// The API's model: built from the store on first use, then kept current by taking in what
// changed every few seconds (the sink writes the store; an instance of the API may be another
// process, or scaled from zero). Views a person cleared or an account deleted leave the store at
// once (their own list follows at once), but stay in the co-watch counts, anonymous, until the
// next full build: each hour, and at every start.
import {
  addView,
  buildModel,
  type ItemInput,
  type Model,
  upsertItem,
  type ViewInput,
} from "./model.ts";
import type { ItemDoc, RecommendationStore, ViewDoc } from "./store.ts";

const REFRESH_MS = 5_000;
const REBUILD_MS = 3_600_000;
/** Writes are stamped by the sink's clock: look back a little further than the last look. */
const CLOCK_SLACK_MS = 2_000;

export const itemOf = ({ _id, version: _v, changedAt: _c, ...item }: ItemDoc): ItemInput => ({
  id: _id,
  ...item,
});

export const viewOf = (doc: ViewDoc): ViewInput => ({
  personId: doc.userId,
  eventId: doc.eventId,
  seconds: doc.seconds,
  at: doc.at.getTime(),
});

export class ModelCache {
  private model?: Model;
  private builtAt = 0;
  private lookedAt = 0;
  private pending?: Promise<Model>;

  constructor(
    private readonly store: RecommendationStore,
    private readonly now = () => Date.now(),
  ) {}

  /** The model, at most REFRESH_MS behind the store (one refresh at a time). */
  current(): Promise<Model> {
    const now = this.now();
    if (this.model && now - this.lookedAt < REFRESH_MS) return Promise.resolve(this.model);
    this.pending ??= this.refresh(now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(now: number): Promise<Model> {
    if (!this.model || now - this.builtAt >= REBUILD_MS) {
      const { items, views } = await this.store.changedSince(new Date(0));
      this.model = buildModel(items.map(itemOf), views.map(viewOf));
      this.builtAt = now;
    } else {
      const since = new Date(this.lookedAt - CLOCK_SLACK_MS);
      const { items, views } = await this.store.changedSince(since);
      for (const item of items) upsertItem(this.model, itemOf(item));
      for (const view of views.sort((a, b) => a.at.getTime() - b.at.getTime()))
        addView(this.model, viewOf(view));
    }
    this.lookedAt = now;
    return this.model;
  }
}
