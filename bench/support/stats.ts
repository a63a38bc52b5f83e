/** Small statistics and formatting helpers for the bench report. */

export const MiB = 1024 * 1024;
export const MB = 1_000_000;

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for no values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function ratio(value: number, reference: number): number {
  return reference > 0 ? value / reference : Number.NaN;
}

/**
 * "0.71-0.93x": the lowest and highest ratio of `values[i]` to `references[i]`, each pair measured in the
 * same round of runs. The spread shows how much of a ratio of medians the machine's noise can move.
 */
export function pairedRange(values: number[], references: number[]): string {
  const ratios = values.map((v, i) => ratio(v, references[i])).filter(Number.isFinite);
  return ratios.length === 0 ? 'n/a' : `${fixed(Math.min(...ratios), 2)}-${fixed(Math.max(...ratios), 2)}x`;
}

/** "12.3, 13.1, 12.8" */
export function list(values: number[], digits = 1): string {
  return values.map((v) => fixed(v, digits)).join(', ');
}

/** Rotates the order of runs so that no target always goes first (a shared machine drifts). */
export function rotate<T>(items: T[], by: number): T[] {
  const n = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(n), ...items.slice(0, n)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
