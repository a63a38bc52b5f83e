/**
 * Verifies the platform's bearer tokens: signature (HS256 secret, or RS256/ES256 public key), expiry,
 * issuer and audience. Reelay issues no accounts; it trusts these tokens.
 *
 * Claims: `sub` (required) is the user id; `channels` (array of channel ids, or "*") lists the
 * channels the user may upload to; a token without it may upload nowhere.
 */
import { importSPKI, jwtVerify, type CryptoKey, errors } from 'jose';
import type { AppConfig } from '#config';
import { UploadError, UploadErrorCode } from '#uploads';
import type { AuthUser } from './auth-user.js';

/** Clock skew tolerated between the platform and this service. */
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * Tokens already verified, until they expire: a frontend polls progress with the same token many
 * times a second, and the signature check (WebCrypto HMAC or ECDSA) is most of a poll's CPU.
 */
const VERIFIED_CACHE_SIZE = 10_000;

const BEARER = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i;
// eslint-disable-next-line no-control-regex -- the rule names exactly these characters
const CONTROL = /[\u0000-\u001f\u007f]/;

export class JwtVerifier {
  private key?: Promise<CryptoKey | Uint8Array>;
  private readonly verified = new Map<string, { user: AuthUser; expiresAtMs: number }>();

  constructor(private readonly config: AppConfig['auth']) {}

  /** The caller named by an `Authorization: Bearer <JWT>` header; 401 without a valid one. */
  authenticate(authorization: string | undefined): Promise<AuthUser> {
    const match = BEARER.exec(authorization ?? '');
    if (!match)
      return Promise.reject(new UploadError(UploadErrorCode.Unauthorized, 'send Authorization: Bearer <token>'));
    return this.verify(match[1]);
  }

  async verify(token: string): Promise<AuthUser> {
    const known = this.verified.get(token);
    if (known && known.expiresAtMs > Date.now()) return known.user;
    if (known) this.verified.delete(token);
    const { user, expiresAtMs } = await this.verifySignedToken(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { user, expiresAtMs });
    return user;
  }

  private async verifySignedToken(token: string): Promise<{ user: AuthUser; expiresAtMs: number }> {
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
      throw unauthorized(
        error instanceof errors.JWTExpired ? 'the token has expired' : 'the token is not valid',
        error,
      );
    }
    // The subject is stored as the owner of uploads: PostgreSQL text cannot hold U+0000.
    if (
      typeof payload.sub !== 'string' ||
      payload.sub.length === 0 ||
      payload.sub.length > 255 ||
      CONTROL.test(payload.sub)
    )
      throw unauthorized('the token has no valid subject');
    const user = { id: payload.sub, channels: channelsOf(payload.channels) };
    return { user, expiresAtMs: (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000 };
  }

  private verificationKey(): Promise<CryptoKey | Uint8Array> {
    const { algorithm, key } = this.config;
    this.key ??= algorithm === 'HS256' ? Promise.resolve(new TextEncoder().encode(key)) : importSPKI(key, algorithm);
    return this.key;
  }
}

function channelsOf(claim: unknown): AuthUser['channels'] {
  if (claim === '*') return '*';
  if (Array.isArray(claim))
    return claim.filter((c): c is string | number => typeof c === 'string' || typeof c === 'number').map(String);
  return [];
}

function unauthorized(message: string, cause?: unknown): UploadError {
  return new UploadError(UploadErrorCode.Unauthorized, message, null, { cause });
}
