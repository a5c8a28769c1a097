// The local mail server's inbox (Mailpit's HTTP API): what the platform mailed to an address,
// waited for rather than slept on.
import { LOCAL_HOST, localPorts } from "../config.ts";
import { until } from "./wait.ts";

export interface ReceivedMail {
  id: string;
  subject: string;
  to: string[];
  text: string;
  html: string;
}

interface Summary {
  ID: string;
  Subject: string;
  Created: string;
}

const inbox = () => `http://${LOCAL_HOST}:${localPorts().mailpit}/api/v1`;

async function json<T>(path: string): Promise<T> {
  const response = await fetch(`${inbox()}${path}`);
  if (!response.ok) throw new Error(`Mailpit answered ${response.status} to ${path}`);
  return (await response.json()) as T;
}

/** Every message to `address`, oldest first (subjects only). */
export async function mailSummaries(address: string): Promise<Summary[]> {
  const query = new URLSearchParams({ query: `to:"${address}"`, limit: "200" });
  const found = await json<{ messages: Summary[] }>(`/search?${query}`);
  return found.messages.sort((a, b) => a.Created.localeCompare(b.Created));
}

/** One message in full. */
export async function mailById(id: string): Promise<ReceivedMail> {
  const message = await json<{
    ID: string;
    Subject: string;
    To: { Address: string }[];
    Text: string;
    HTML: string;
  }>(`/message/${id}`);
  return {
    id: message.ID,
    subject: message.Subject,
    to: message.To.map((to) => to.Address),
    text: message.Text,
    html: message.HTML,
  };
}

/**
 * Waits for the `n`th message (1 = the first) to `address` whose subject matches, and returns
 * it in full.
 */
export async function waitForMail(
  address: string,
  subject: RegExp,
  n = 1,
  timeoutMs = 20_000,
): Promise<ReceivedMail> {
  const summary = await until(
    `mail #${n} to ${address} with a subject like ${subject}`,
    async () => (await mailSummaries(address)).filter((m) => subject.test(m.Subject))[n - 1],
    timeoutMs,
    200,
  );
  return mailById(summary.ID);
}

/** A message's header fields (List-Unsubscribe…), each with its values. */
export const mailHeaders = (id: string): Promise<Record<string, string[]>> =>
  json<Record<string, string[]>>(`/message/${id}/headers`);

/** The first link in a message's text that goes to `path` on the platform. */
export function linkIn(mail: ReceivedMail, path: string): URL {
  for (const match of mail.text.matchAll(/https?:\/\/\S+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === path) return url;
  }
  throw new Error(`no link to ${path} in "${mail.subject}":\n${mail.text}`);
}
