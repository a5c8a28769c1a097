// A person's choices about what reaches their inbox beyond what they follow: recommended
// events ("a few a day", on unless turned off). Mail has its own choices (email-store.ts).
import type { Collection, Db } from "mongodb";

export interface NotificationSettings {
  /** Events like what they watch, from channels they do not follow (event.recommended). */
  recommendations: boolean;
}

interface SettingsDoc extends Partial<NotificationSettings> {
  _id: string;
  updatedAt: Date;
}

export class SettingsStore {
  readonly settings: Collection<SettingsDoc>;

  constructor(db: Db) {
    this.settings = db.collection<SettingsDoc>("settings");
  }

  async get(userId: string): Promise<NotificationSettings> {
    const doc = await this.settings.findOne({ _id: userId });
    return { recommendations: doc?.recommendations !== false };
  }

  async set(userId: string, changes: NotificationSettings): Promise<NotificationSettings> {
    await this.settings.updateOne(
      { _id: userId },
      { $set: { ...changes, updatedAt: new Date() } },
      { upsert: true },
    );
    return this.get(userId);
  }

  /** Of `userIds`, those who turned recommendations off. */
  async withoutRecommendations(userIds: string[]): Promise<Set<string>> {
    const docs = await this.settings
      .find({ _id: { $in: userIds }, recommendations: false }, { projection: { _id: 1 } })
      .toArray();
    return new Set(docs.map((d) => d._id));
  }

  /** A deleted account's choices (user.deleted). */
  async forget(userId: string): Promise<void> {
    await this.settings.deleteOne({ _id: userId });
  }
}
