/**
 * Upload progress in whole percent, measured in bytes so an uneven last chunk does not skew it.
 * 100 is reserved for "every chunk is done": byte counts alone could reach 100 while a chunk is
 * still missing (e.g. when a caller reported a wrong length), and a client that sees 100 moves on.
 */
export interface PercentInput {
  completedBytes: number;
  size: number;
  completedCount: number;
  totalChunks: number;
}

export function progressPercent({ completedBytes, size, completedCount, totalChunks }: PercentInput): number {
  if (totalChunks > 0 && completedCount >= totalChunks) return 100;
  if (size <= 0) return 0;
  const percent = Math.floor((Math.max(0, completedBytes) * 100) / size);
  return Math.min(99, percent);
}
