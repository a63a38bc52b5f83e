/**
 * The whole-file SHA-256 the SDK declares when asked (`sha256: true`), so that the worker checks the stored
 * object against it (a mismatch fails the video with CHECKSUM_MISMATCH). Hashing starts with the upload and
 * runs beside it, reading the file a second time as a stream (never whole in memory); the hash is sent with
 * complete (POST /batch/complete takes `sha256`), so no part waits for it. Each environment brings its
 * hasher: node:crypto over a read stream in Node (node.ts), hash-wasm in a Web Worker in browsers
 * (browser.ts), so that the page's thread never hashes.
 */
import type { UploadSource } from './resume-store.js';

/** Answers the hex SHA-256 of the whole file; rejects when it cannot be read or `signal` fires. */
export type Sha256Hasher = (source: UploadSource, signal: AbortSignal) => Promise<string>;
