// Email through SMTP (nodemailer): Mailpit locally, any SMTP server elsewhere (SMTP_URL, with
// credentials in it if the server asks for them; smtps:// for TLS from the start).
import { LOCAL_HOST, localPorts, serviceUrls } from "../config.ts";
import { log } from "../log.ts";
import type { MailContent } from "./template.ts";

/** Where mail is sent: SMTP_URL, by default the local Mailpit. */
export const smtpUrl = (): string =>
  process.env.SMTP_URL || `smtp://${LOCAL_HOST}:${localPorts().smtp}`;

/** The sender every message names: MAIL_FROM. */
export const mailFrom = (): string =>
  process.env.MAIL_FROM || "Stream Platform <no-reply@stream-platform.localhost>";

/** The address people open the platform at, where links in mail point: PUBLIC_URL, by default the edge. */
export const publicUrl = (): string =>
  (process.env.PUBLIC_URL || serviceUrls().edgeUrl).replace(/\/+$/, "");

interface Transport {
  sendMail(message: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

export class Mailer {
  private transport?: Promise<Transport>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly url = smtpUrl(),
    private readonly from = mailFrom(),
  ) {}

  /** Sends one message; rejects when the SMTP server cannot be reached or refuses it. */
  async send(to: string, content: MailContent): Promise<void> {
    // Loaded on first use, not at a function's cold start.
    this.transport ??= import("nodemailer").then(
      ({ default: nodemailer }) =>
        nodemailer.createTransport({
          url: this.url,
          // A few connections kept open between messages (a burst of sign-ups).
          pool: true,
          maxConnections: 2,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        } as Parameters<typeof nodemailer.createTransport>[0]) as unknown as Transport,
    );
    const transport = await this.transport;
    await transport.sendMail({ from: this.from, to, ...content });
  }

  /**
   * Sends without holding up the answer (its time would tell whether an address has an
   * account): a failure is logged as `what`, never thrown. `drain` waits for what is under way.
   */
  sendLater(to: string, content: MailContent, what: string): void {
    const sending = this.send(to, content).catch((error: Error) => {
      log({ level: "error", msg: "mail not sent", what, error: error.message });
    });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Waits for the messages under way (at shutdown), then closes the connections. */
  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.transport) (await this.transport.catch(() => undefined))?.close();
  }
}
