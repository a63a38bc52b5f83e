/**
 * Verifies the platform's bearer tokens: signature (HS256 secret, or RS256/ES256 public key), expiry,
 * issuer and audience. Reelay issues no accounts; it trusts these tokens.
 *
 * Claims: `sub` (required) is the user id; `channels` (array of channel ids, or "*") lists the
 * channels the user may upload to; a token without it may upload nowhere.
 */
import { importSPKI, jwtVerify, type CryptoKey, errors } from 'jose';
import type { AppConfig } from '#config';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import type { AuthUser } from './auth-user.js';

/** Clock skew tolerated between the platform and this service. */
const CLOCK_TOLERANCE_SECONDS = 30;

export class JwtVerifier {
  private key?: Promise<CryptoKey | Uint8Array>;

  constructor(private readonly config: AppConfig['auth']) {}

  async verify(token: string): Promise<AuthUser> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, await this.verificationKey(), {
        algorithms: [this.config.algorithm],
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      throw unauthorized(error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid', error);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) throw unauthorized('the token has no valid subject');
    return { id: payload.sub, channels: channelsOf(payload.channels) };
  }

  private verificationKey(): Promise<CryptoKey | Uint8Array> {
    const { algorithm, key } = this.config;
    this.key ??= algorithm === 'HS256' ? Promise.resolve(new TextEncoder().encode(key)) : importSPKI(key, algorithm);
    return this.key;
  }
}

function channelsOf(claim: unknown): AuthUser['channels'] {
  if (claim === '*') return '*';
  if (Array.isArray(claim)) return claim.filter((c): c is string | number => typeof c === 'string' || typeof c === 'number').map(String);
  return [];
}

function unauthorized(message: string, cause?: unknown): UploadError {
  return new UploadError(UploadErrorCode.Unauthorized, message, null, { cause });
}
