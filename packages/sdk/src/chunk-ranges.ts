/** The chunk indices of a progress answer's `storedChunks` ranges ("0-3,5,7-9"; "" for none). */
export function parseChunkRanges(ranges: string): Set<number> {
  const chunks = new Set<number>();
  for (const run of ranges ? ranges.split(',') : []) {
    const [first, last = first] = run.split('-').map(Number);
    for (let i = first; i <= last; i++) chunks.add(i);
  }
  return chunks;
}
