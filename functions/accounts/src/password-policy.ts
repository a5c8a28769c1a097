// What a new password must be (issue #24, item 14): at least 8 characters (schemas.ts), not one
// of the passwords most often found in breaches, and not easy to guess by zxcvbn's estimate
// (dictionaries of common passwords, names and words, keyboard patterns, dates, repeats, the
// person's own email and name). Composition rules (a digit, a symbol) are not asked: they make
// passwords harder to remember, not to guess.
import { HttpProblem, invalidInput } from "@stream-platform/shared";

/** zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" online (~10^10 guesses). */
export const MIN_SCORE = 3;

type Checker = (password: string, userInputs: string[]) => Result;
interface Result {
  score: number;
  feedback: { warning: string | null; suggestions: string[] };
  sequence: { pattern: string; dictionaryName?: string; token: string }[];
}

let checker: Promise<Checker> | undefined;

// The dictionaries are megabytes: loaded at the first password checked, not at cold start.
const load = () =>
  (checker ??= (async () => {
    const [{ ZxcvbnFactory }, common, en] = await Promise.all([
      import("@zxcvbn-ts/core"),
      import("@zxcvbn-ts/language-common"),
      import("@zxcvbn-ts/language-en"),
    ]);
    const zxcvbn = new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
      // Fewer l33t ("p4ssw0rd") variants tried per password: the default tries up to 100, which
      // made a check of a digit-heavy password take a large fraction of a second.
      l33tMaxSubstitutions: 10,
    });
    return (password, userInputs) => zxcvbn.check(password, userInputs) as unknown as Result;
  })());

/** Why `password` is refused, or undefined when it will do. */
export async function passwordWeakness(
  password: string,
  userInputs: string[] = [],
): Promise<string | undefined> {
  const result = (await load())(password, userInputs.filter(Boolean));
  const [only] = result.sequence;
  if (
    result.sequence.length === 1 &&
    only?.pattern === "dictionary" &&
    only.dictionaryName?.startsWith("passwords")
  )
    return "This is one of the most common passwords, tried first by anyone guessing: choose another";
  if (result.score >= MIN_SCORE) return undefined;
  const why = result.feedback.warning ? ` (${result.feedback.warning.replace(/\.$/, "")})` : "";
  const hint = result.feedback.suggestions[0] ?? "Add another word or two.";
  return `This password is too easy to guess${why}. ${hint.replace(/\.$/, "")}, or use a few unrelated words`;
}

/** A 400 naming `field` when the password is common or weak. */
export async function requireStrongPassword(
  password: string,
  field: string,
  userInputs: string[],
): Promise<void> {
  const weakness = await passwordWeakness(password, userInputs);
  if (weakness) throw new HttpProblem(invalidInput([{ field, detail: weakness }]));
}
