/**
 * Lists of URLs that hold printable ASCII only, without `"` or `\`: text that goes into JSON as it is,
 * with no character escaped. A part URL signer proves it once for all the URLs it signs (they differ
 * only in digits and hex), so that the API can write init's thousands of URLs into its answer without
 * scanning every character of them again (apps/api/src/common/json-reply.ts).
 *
 * A list is frozen when it is marked: what was proven of it stays true.
 */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const plainLists = new WeakSet<readonly string[]>();

/** Whether `text` is printable ASCII without `"` or `\`. */
export function isPlainText(text: string): boolean {
  return PLAIN.test(text);
}

/** Marks (and freezes) a list whose every URL the caller has proven plain. */
export function markPlainUrls(urls: string[]): string[] {
  plainLists.add(Object.freeze(urls));
  return urls;
}

/** Whether `value` is a list marked by markPlainUrls. */
export function arePlainUrls(value: unknown): value is readonly string[] {
  return typeof value === 'object' && value !== null && plainLists.has(value as readonly string[]);
}
