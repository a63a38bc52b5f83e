/** Presigned part URLs of an upload's chunks, for init (every chunk) and retry (the failed ones). */
import { Inject, Injectable } from '@nestjs/common';
import { chunkLength, ObjectStorage } from '#storage';
import type { UploadSession } from '#videos';
import { UPLOAD_SETTINGS, type UploadSettings } from './upload-settings.js';

export type SignableSession = Pick<
  UploadSession,
  'storageKey' | 'multipartUploadId' | 'chunkSize' | 'totalChunks' | 'size'
>;

export interface SignedChunks {
  /** urls[i] takes the chunk of the i-th index asked for (part index + 1), with exactly its bytes. */
  urls: string[];
  /** When the URLs stop working, at the latest. */
  expiresAt: Date;
}

@Injectable()
export class PartUrls {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly storage: ObjectStorage,
  ) {}

  /** URLs of these chunks (0-based indices), in their order. */
  async sign(session: SignableSession, chunkIndices: readonly number[]): Promise<SignedChunks> {
    const expiresAt = urlsExpireAt(Date.now(), this.settings.urlTtlSeconds);
    const parts = chunkIndices.map((i) => ({
      partNumber: i + 1,
      contentLength: chunkLength(session, session.size, i),
    }));
    const urls = await this.storage.presignParts(
      session.storageKey,
      session.multipartUploadId,
      parts,
      this.settings.urlTtlSeconds,
    );
    return { urls, expiresAt };
  }
}

/**
 * When URLs signed at `now` (epoch ms) stop working, at the latest: SigV4 dates a URL to the second it
 * is signed in, and its expiry counts from that second.
 */
export function urlsExpireAt(now: number, ttlSeconds: number): Date {
  return new Date(Math.floor(now / 1000) * 1000 + ttlSeconds * 1000);
}
