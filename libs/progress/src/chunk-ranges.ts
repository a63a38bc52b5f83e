/**
 * Stored chunks in a compact form for a client that resumes: ascending runs of 0-based chunk indices,
 * "first-last" or a lone index, joined by commas, e.g. "0-3,5,7-9" (the shape of an HTTP byte-range
 * set, RFC 9110 section 14.1.1). 10,000 chunks stored in one run are "0-9999".
 */

/** The ranges of ascending, distinct indices. */
export function chunkRanges(ascending: Iterable<number>): string {
  const runs: string[] = [];
  let first = -1;
  let last = -1;
  const close = () => {
    if (first >= 0) runs.push(first === last ? String(first) : `${first}-${last}`);
  };
  for (const i of ascending) {
    if (i === last + 1 && first >= 0) last = i;
    else {
      close();
      first = last = i;
    }
  }
  close();
  return runs.join(',');
}

/**
 * The ranges of the set bits of a Redis bitmap (SETBIT offset 0 is the first byte's high bit), below
 * `total`. A poll reads it for every answer: whole bytes of 0x00 or 0xFF are taken at once.
 */
export function bitmapRanges(bitmap: Uint8Array, total: number): string {
  const runs: string[] = [];
  let first = -1;
  const end = (last: number) => runs.push(first === last ? String(first) : `${first}-${last}`);
  for (let byte = 0; byte < bitmap.length && byte * 8 < total; byte++) {
    const bits = bitmap[byte];
    if ((bits === 0 && first < 0) || (bits === 0xff && first >= 0 && byte * 8 + 8 <= total)) continue;
    for (let bit = 0; bit < 8; bit++) {
      const index = byte * 8 + bit;
      if (index >= total) break;
      const set = (bits & (0x80 >> bit)) !== 0;
      if (set && first < 0) first = index;
      else if (!set && first >= 0) {
        end(index - 1);
        first = -1;
      }
    }
  }
  if (first >= 0) end(Math.min(total, bitmap.length * 8) - 1);
  return runs.join(',');
}

/** The indices of a ranges string, ascending. */
export function parseChunkRanges(ranges: string): number[] {
  if (ranges === '') return [];
  return ranges.split(',').flatMap((run) => {
    const [first, last = first] = run.split('-').map(Number);
    return Array.from({ length: last - first + 1 }, (_, k) => first + k);
  });
}
