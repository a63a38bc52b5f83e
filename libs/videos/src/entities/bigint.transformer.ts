/** Postgres answers bigint as a string; sizes here stay far below 2^53, so numbers are exact. */
import type { ValueTransformer } from 'typeorm';

export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
