/**
 * Access tokens Reelay mints for clients that cannot send an Authorization header: Uppy's S3 plugin
 * calls its Companion endpoint with a bare `fetch` (@uppy/aws-s3 6.x, `S3Companion._fetch`), so the
 * token travels in the endpoint URL instead. A token is 32 random bytes (base64url); PostgreSQL keeps
 * only its SHA-256. It stands for the caller who minted it, with the channels their platform token
 * allowed at the time, for one purpose (and, for `batch-events`, one batch: its scope), until it expires.
 * EventSource cannot send headers either, so a batch's event stream takes such a token in its query.
 */
import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { type AccessTokenPurpose, AccessTokenRepository } from '#videos';
import { UploadError, UploadErrorCode } from './upload-error.js';
import type { Uploader } from './uploader.js';

/** Tokens already looked up, until they expire or for a minute at most: a page calls once per part. */
const CACHE_MS = 60_000;
const CACHE_SIZE = 10_000;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface MintedToken {
  token: string;
  expiresAt: Date;
}

@Injectable()
export class AccessTokens {
  private readonly cache = new Map<string, { uploader: Uploader; scope: string | null; until: number }>();

  constructor(private readonly repository: AccessTokenRepository) {}

  /** A new token for `uploader`, valid `ttlSeconds` for `purpose` (and only for `scope`, when given). */
  async mint(
    uploader: Uploader,
    purpose: AccessTokenPurpose,
    ttlSeconds: number,
    scope: string | null = null,
  ): Promise<MintedToken> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const channels = uploader.channels === '*' ? '*' : [...uploader.channels];
    await this.repository.save({ tokenHash: hashOf(token), purpose, scope, ownerId: uploader.id, channels, expiresAt });
    return { token, expiresAt };
  }

  /** Removes the tokens past their expiry (the cleanup's run); answers how many. */
  deleteExpired(): Promise<number> {
    return this.repository.deleteExpired();
  }

  /**
   * The uploader the token stands for; UNAUTHORIZED when it is malformed, unknown, expired, for another
   * purpose, or (with `scope`) minted for another scope.
   */
  async authenticate(token: string, purpose: AccessTokenPurpose, scope?: string): Promise<Uploader> {
    const found = await this.authenticateScoped(token, purpose);
    if (scope !== undefined && found.scope !== scope) throw invalidToken();
    return found.uploader;
  }

  /** The uploader the token stands for and what it was minted for; UNAUTHORIZED as authenticate. */
  async authenticateScoped(
    token: string,
    purpose: AccessTokenPurpose,
  ): Promise<{ uploader: Uploader; scope: string | null }> {
    const found = await this.lookUp(token, purpose);
    if (!found) throw invalidToken();
    return found;
  }

  private async lookUp(token: string, purpose: AccessTokenPurpose) {
    const key = `${purpose}:${token}`;
    const known = this.cache.get(key);
    if (known && known.until > Date.now()) return known;
    this.cache.delete(key);
    const found = TOKEN.test(token) ? await this.repository.findValid(hashOf(token), purpose) : null;
    if (!found) return null;
    const entry = {
      uploader: { id: found.ownerId, channels: found.channels },
      scope: found.scope,
      until: Math.min(found.expiresAt.getTime(), Date.now() + CACHE_MS),
    };
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
    return entry;
  }
}

function invalidToken(): UploadError {
  return new UploadError(UploadErrorCode.Unauthorized, 'the token is not valid, has expired, or is for another use');
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
