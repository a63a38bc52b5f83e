/**
 * What no log line may carry. Every line is passed through `redactSecrets` as it is written (logger.ts),
 * whatever wrote it: a use case's message, an error's text or stack, a URL:
 * - presigned S3 URLs: the values of X-Amz-Signature, X-Amz-Credential and X-Amz-Security-Token;
 * - the disk driver's signed URLs (`signature=`) and any `token=` query parameter;
 * - bearer tokens, and anything shaped like a JWT (three base64url parts, the first `eyJ`);
 * - the Uppy endpoint token, which travels in the path (/api/v1/uppy/<token>/...) and in the query of the
 *   form a file sent whole is posted to (`uppy=<token>`);
 * - a password in a URL: postgres://user:password@host, redis://:password@host.
 */
export const REDACTED = '[redacted]';

const SECRETS = new RegExp(
  [
    String.raw`((?:X-Amz-(?:Signature|Credential|Security-Token)|signature|token|uppy)=)[^&\s"'\\]+`,
    String.raw`(Bearer\s+)[^\s"'\\]+`,
    String.raw`(/uppy/)[\w-]{16,}`,
    String.raw`(\b[a-z][\w+.-]*://[^\s/:@"'\\]*:)[^\s/@"'\\]+(?=@)`,
    String.raw`\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]+`,
  ].join('|'),
  'gi',
);

/** `text` with every secret above replaced by [redacted] (the part that names it is kept). */
export function redactSecrets(text: string): string {
  return text.replace(SECRETS, (_match, ...groups: unknown[]) => {
    const prefix = groups.slice(0, 4).find((g): g is string => typeof g === 'string');
    return `${prefix ?? ''}${REDACTED}`;
  });
}

/** A request URL as a log line shows it: at most 300 characters (the line scrubs its secrets). */
export function loggableUrl(url: string): string {
  return url.length > 300 ? `${url.slice(0, 300)}…` : url;
}
