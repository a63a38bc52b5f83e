/**
 * Filenames are display metadata only. Control characters (NUL included), bidirectional overrides and
 * path separators are made harmless here, before anything stores or echoes them: they never reach a
 * storage key (those are made by the server), a header or a log line as the client sent them.
 */
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
const SEPARATORS = /[/\\]/g;

export function sanitizeFilename(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.normalize('NFC').replace(UNSAFE, '').replace(SEPARATORS, '_').trim();
}
