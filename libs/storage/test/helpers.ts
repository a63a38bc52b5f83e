/** Real bytes and real HTTP for the storage tests: random bodies, streams of them, undici requests. */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { StorageError, type StorageErrorCode } from '../src/index.js';

export const KiB = 1024;

export function randomBody(size: number): Buffer {
  return randomBytes(size);
}

/** `data` as a stream of 64 KiB chunks, the way a socket or a file would deliver it. */
export function streamOf(data: Buffer, chunkSize = 64 * KiB): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += chunkSize) yield data.subarray(at, at + chunkSize);
    })(),
  );
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** S3's multipart ETag for parts with these bodies. */
export function multipartEtag(parts: Buffer[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(createHash('md5').update(part).digest());
  return `"${hash.digest('hex')}-${parts.length}"`;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** A PUT of `body` streamed with its own Content-Length, as a browser or the upload client would send it. */
export async function httpPut(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return send(url, 'PUT', { 'content-length': String(body.length), ...headers }, streamOf(body));
}

export async function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return send(url, 'GET', headers);
}

async function send(
  url: string,
  method: 'GET' | 'PUT',
  headers: Record<string, string>,
  body?: Readable,
): Promise<HttpAnswer> {
  const res = await request(url, { method, headers, body });
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(res.headers)) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return { status: res.statusCode, headers: flat, body: Buffer.from(await res.body.arrayBuffer()) };
}

/** Awaits `promise` and checks it failed with a StorageError of `code`. */
export async function expectStorageError(promise: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  const error = await promise.then(
    () => new Error('expected a StorageError, but the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  if (!(error instanceof StorageError)) throw error;
  expect(error.code).toBe(code);
  return error;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
