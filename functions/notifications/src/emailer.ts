// Notification mail: queued by the fan-out beside the inbox entries (for people who opted in to
// that kind), and by the daily digest job; sent by a relay that drains the mail outbox right
// after a queueing and in a periodic sweep (what a crash or an SMTP failure left). Each mail is
// sent under a per-person lock (FerretDB's conditional updates are not atomic, a unique insert
// is), which also makes the hourly limit exact. A crash between SMTP's acceptance and marking
// the mail sent sends it again at the next sweep: the only duplicate left, and a rare one.
import { GrpcStatus, isGrpcStatus, log, Sweeper } from "@stream-platform/shared";
import type { AccountsClient } from "@stream-platform/shared/grpc";
import type { Mailer } from "@stream-platform/shared/mail";
import type { DocumentLocks } from "@stream-platform/shared/mongodb";
import { digestIdOf, type EmailStore, emailKindOf, type OutgoingMail } from "./email-store.ts";
import { notificationMail } from "./mails.ts";
import type { NotificationKind } from "./schemas.ts";
import type { InboxEntry, InboxStore } from "./store.ts";
import { signUnsubscribe } from "./unsubscribe-token.ts";

/** Mails to one person in an hour at most (NOTIFICATION_EMAILS_PER_HOUR); the digest apart. */
export const emailsPerHour = () => Number(process.env.NOTIFICATION_EMAILS_PER_HOUR ?? 6);
const MAX_ATTEMPTS = 5;
const DIGEST_ITEMS = 20;
const DAY_MS = 86_400_000;

/** What a mail says of a notification. */
const itemOf = ({
  kind,
  eventId,
  title,
  channelTitle,
}: InboxEntry): OutgoingMail["items"][number] => ({
  kind,
  eventId,
  title,
  ...(channelTitle && { channelTitle }),
});

export class Emailer extends Sweeper {
  constructor(
    private readonly emails: EmailStore,
    private readonly inbox: InboxStore,
    private readonly accounts: () => Promise<Pick<AccountsClient, "getMailAddress">>,
    private readonly mailer: Pick<Mailer, "send">,
    private readonly locks: DocumentLocks,
  ) {
    // The sweep only recovers: a queueing flushes at once.
    super(15_000);
  }

  /** Queues a mail for each new inbox entry whose person asked for its kind by mail. */
  async queueFor(kind: NotificationKind, entries: InboxEntry[]): Promise<number> {
    const emailKind = emailKindOf(kind);
    if (!emailKind) return 0;
    const wanted = new Set(
      await this.emails.optedIn(
        entries.map((entry) => entry.userId),
        emailKind,
      ),
    );
    return this.emails.queue(
      entries
        .filter((entry) => wanted.has(entry.userId))
        .map((entry) => ({
          _id: entry._id,
          userId: entry.userId,
          kind: emailKind,
          items: [itemOf(entry)],
          state: "pending",
          attempts: 0,
          notBefore: entry.createdAt,
          createdAt: entry.createdAt,
        })),
    );
  }

  /**
   * The daily digest: what reached each reader's inbox in the last day, one mail per person and
   * day however often the job runs. Returns how many were queued (then sends them).
   */
  async queueDigests(now = new Date()): Promise<number> {
    const day = now.toISOString().slice(0, 10);
    let queued = 0;
    for await (const reader of this.emails.digestReaders()) {
      const news = await this.inbox.since(
        reader._id,
        new Date(now.getTime() - DAY_MS),
        DIGEST_ITEMS,
      );
      if (news.length === 0) continue;
      queued += await this.emails.queue([
        {
          _id: digestIdOf(reader._id, day),
          userId: reader._id,
          kind: "digest",
          items: news.map(itemOf),
          state: "pending",
          attempts: 0,
          notBefore: now,
          createdAt: now,
        },
      ]);
    }
    return queued;
  }

  protected async sweep(): Promise<void> {
    for (;;) {
      const due = await this.emails.due(50);
      for (const mail of due)
        await this.locks.withLock(`email:${mail.userId}`, () => this.deliver(mail._id));
      if (due.length < 50) return;
    }
  }

  /** Sends one mail if it is still due and wanted (under the person's lock). */
  private async deliver(id: string): Promise<void> {
    const mail = await this.emails.mail(id);
    if (mail?.state !== "pending") return;
    const now = new Date();
    const skip = (reason: string) => this.emails.settle(id, { state: "skipped", reason });
    // Asked again now: an unsubscribe since the queueing stops it.
    if (!(await this.emails.get(mail.userId))[mail.kind]) return skip("unsubscribed");
    if (
      mail.kind !== "digest" &&
      (await this.emails.sentSince(mail.userId, new Date(now.getTime() - 3_600_000))) >=
        emailsPerHour()
    )
      // Still in the inbox, and in the next digest for those who take it.
      return skip("rate-limited");
    let address: { email: string; displayName: string; verified: boolean };
    try {
      address = await (await this.accounts()).getMailAddress(mail.userId);
    } catch (error) {
      if (isGrpcStatus(error, GrpcStatus.NOT_FOUND)) return skip("no account");
      return this.retry(mail, error);
    }
    // Only to an address its owner proved: nobody can have us mail someone else's.
    if (!address.verified) return skip("address not verified");
    try {
      await this.mailer.send(
        address.email,
        notificationMail(mail, address.displayName, signUnsubscribe(mail.userId, mail.kind)),
      );
    } catch (error) {
      return this.retry(mail, error);
    }
    await this.emails.settle(id, { state: "sent", sentAt: new Date() });
  }

  private async retry(mail: OutgoingMail, error: unknown): Promise<void> {
    const attempts = mail.attempts + 1;
    log({
      level: "warn",
      msg: "notification mail not sent",
      mail: mail._id,
      attempts,
      error: (error as Error).message,
    });
    await this.emails.settle(
      mail._id,
      attempts >= MAX_ATTEMPTS
        ? { state: "failed", attempts, reason: (error as Error).message }
        : { attempts, notBefore: new Date(Date.now() + 30_000 * 2 ** attempts) },
    );
  }
}
