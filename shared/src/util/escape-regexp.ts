/** `text` as a regular expression that matches it literally (user text in a $regex, say). */
export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
