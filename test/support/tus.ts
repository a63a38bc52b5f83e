/** The raw tus requests of the protocol tests: any method, any header, the answer's status, headers and body. */
import { request } from 'undici';
import type { Readable } from 'node:stream';

export const TUS_PATH = '/api/v1/tus';

export interface TusAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  /** The parsed envelope, or null for an answer without a body (204, HEAD). */
  body: { success: boolean; data?: Record<string, unknown>; error?: { code: string; details: unknown } } | null;
}

/** Upload-Metadata from plain values (base64 encoded here), in the given order. */
export function metadata(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

export async function tus(
  url: string,
  method: 'OPTIONS' | 'POST' | 'HEAD' | 'PATCH' | 'DELETE',
  headers: Record<string, string>,
  body?: Buffer | Readable,
): Promise<TusAnswer> {
  const res = await request(url, { method, headers, body });
  const text = await res.body.text();
  const flat: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(res.headers)) flat[k] = Array.isArray(v) ? v.join(', ') : v;
  return { status: res.statusCode, headers: flat, body: text === '' ? null : (JSON.parse(text) as TusAnswer['body']) };
}
