/**
 * One `Range: bytes=...` header against an object of `size` bytes (RFC 9110 section 14). Only single
 * ranges are served: a malformed or multi-range header is ignored and the whole object is sent, which
 * the RFC allows.
 */
export type ParsedRange = { start: number; end: number } | 'unsatisfiable' | null;

export function parseRange(header: string | undefined, size: number): ParsedRange {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [first, last] = [match[1], match[2]];
  if (first === '') {
    // A suffix: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return null; // invalid: ignored, like any malformed range
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
