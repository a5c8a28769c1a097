// What the API says about a form field, in a person's words. The API's `errors` (field, detail)
// are written for developers and other programs ("Too small: expected string to have >=1
// characters") and tests rely on them, so they are translated here, not changed there.
import { ApiError } from "./api.ts";

/** How each field is named inside a sentence ("Enter a title"). */
const NOUNS: Record<string, string> = {
  title: "a title",
  displayName: "your name",
  email: "your email address",
  password: "your password",
  currentPassword: "your current password",
  newPassword: "a new password",
  slug: "an address",
  description: "a description",
  category: "a category",
  tags: "tags",
  startsAt: "a start time",
  endsAt: "an end time",
  text: "a message",
};

type Rule = [RegExp, (match: RegExpExecArray, noun: string, field: string) => string];

// zod's default messages first, then the API's own phrases; the first match wins.
const RULES: Rule[] = [
  [
    /expected string to have >=1 characters?|received undefined|^required$/i,
    (_, n) => `Enter ${n}`,
  ],
  [/(?:>=|at least )(\d+) characters?/i, (m) => `Use at least ${m[1]} characters`],
  [/(?:<=|at most )(\d+) characters?/i, (m) => `Use at most ${m[1]} characters`],
  [/<=(\d+) items?/i, (m, n) => `Use at most ${m[1]} ${n === "tags" ? "tags" : "entries"}`],
  [/invalid email/i, () => "Enter an email address like name@example.com"],
  [/RFC 3339|datetime|date-time/i, () => "Enter a date and time"],
  [/between the years (\d+) and (\d+)/i, (m) => `Choose a date between ${m[1]} and ${m[2]}`],
  [/^must be after startsAt$/i, () => "Make it end after it starts"],
  [/^is in the past/i, () => "This time has passed: choose a time from now on"],
  [/the event is live/i, () => "The event is live: its start time can no longer change"],
  [/^does not match$/i, () => "This password does not match your account"],
  [
    /is taken/i,
    (_, _n, f) =>
      f === "slug" ? "This address is taken: choose another" : "This one is taken: choose another",
  ],
  [
    /lower-case letters, digits and dashes/i,
    () => "Use 3 to 64 lower-case letters, digits and dashes",
  ],
];

/** One field's problem as a sentence. Unknown details are kept, capitalised as a sentence. */
export function fieldMessage(field: string, detail: string): string {
  const text = detail.trim();
  const noun = NOUNS[field] ?? "a value";
  for (const [pattern, message] of RULES) {
    const match = pattern.exec(text);
    if (match) return message(match, noun, field);
  }
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `tags.2` is about the field `tags`. */
const isAbout = (problemField: string, field: string) =>
  problemField === field || problemField.startsWith(`${field}.`);

/** The message for `field` when `error` is the API's answer naming it (the first, if several). */
export function messageFor(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const problem = error.errors.find((e) => isAbout(e.field, field));
  return problem && fieldMessage(field, problem.detail);
}

/**
 * What the form must say apart from its fields: nothing when every field the API named is shown
 * with its message (said once, next to the field), else the other fields' messages or the
 * problem's own words ("Sign-in failed: wrong email or password").
 */
export function formMessage(error: unknown, shownFields: readonly string[]): string | undefined {
  if (error === undefined) return undefined;
  if (!(error instanceof ApiError)) return "Something went wrong. Try again.";
  const others = error.errors.filter((e) => !shownFields.some((f) => isAbout(e.field, f)));
  if (error.errors.length > 0 && others.length === 0) return undefined;
  if (others.length > 0) return others.map((e) => `${fieldMessage(e.field, e.detail)}.`).join(" ");
  return `${error.title}${error.detail ? `: ${error.detail}` : ""}`;
}
