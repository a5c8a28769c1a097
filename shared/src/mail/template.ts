// Messages in plain text and HTML from one description: a greeting, paragraphs, at most one
// action (a link shown as a button, and as the bare address in the text), a footer. Values are
// HTML-escaped here, so a display name can never inject markup into a message.
export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /** Extra header fields (List-Unsubscribe). */
  headers?: Record<string, string>;
}

export interface MailParts {
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Why the reader got it, and what to do if it was not them. */
  footer: string;
  /**
   * A link that stops this kind of mail without signing in: shown in both parts, and as the
   * List-Unsubscribe header with RFC 8058's one-click POST (mail clients' own button).
   */
  unsubscribeUrl?: string;
}

export const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

export function composeMail(parts: MailParts): MailContent {
  const text = [
    parts.greeting,
    ...parts.paragraphs,
    ...(parts.action ? [`${parts.action.label}:\n${parts.action.url}`] : []),
    `--\n${parts.footer}`,
    ...(parts.unsubscribeUrl ? [`Unsubscribe:\n${parts.unsubscribeUrl}`] : []),
  ].join("\n\n");
  const p = (value: string) => `<p style="margin:0 0 16px">${escapeHtml(value)}</p>`;
  const button = parts.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#6441a5;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(parts.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555">Or open this address: ${escapeHtml(parts.action.url)}</p>`
    : "";
  const html = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(parts.subject)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111;max-width:560px;margin:0 auto;padding:24px">',
    p(parts.greeting),
    ...parts.paragraphs.map(p),
    button,
    `<hr style="border:none;border-top:1px solid #ddd;margin:24px 0"><p style="font-size:13px;color:#555">${escapeHtml(parts.footer)}</p>`,
    parts.unsubscribeUrl
      ? `<p style="font-size:13px;color:#555"><a href="${escapeHtml(parts.unsubscribeUrl)}">Unsubscribe</a></p>`
      : "",
    "</body></html>",
  ].join("");
  if (!parts.unsubscribeUrl) return { subject: parts.subject, text, html };
  return {
    subject: parts.subject,
    text,
    html,
    headers: {
      "List-Unsubscribe": `<${parts.unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}
