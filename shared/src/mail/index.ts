// Email: an SMTP mailer and messages in plain text and HTML (a subpath, so only the functions
// that send mail load it).
export * from "./mailer.ts";
export * from "./template.ts";
