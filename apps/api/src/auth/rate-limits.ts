/**
 * Per-user rate limits on init, retry and complete, and on uploads started one file at a time (`create`:
 * tus creation, Uppy's create and /s3/params) (@nestjs/throttler), counted in Redis so that every
 * API instance shares them. Each route opts into exactly one named limit with @RateLimit(name). Past a
 * limit the answer is 429 RATE_LIMITED in the envelope with a standard Retry-After header (RFC 9110
 * section 10.2.3), and none of the throttler's per-limit headers.
 */
import { applyDecorators, type DynamicModule, type ExecutionContext, Injectable } from '@nestjs/common';
import { seconds, SkipThrottle, ThrottlerGuard, type ThrottlerLimitDetail, ThrottlerModule } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { UploadError, UploadErrorCode } from '#uploads';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { AppConfig } from '#config';

export const RATE_LIMITS = ['init', 'retry', 'complete', 'create'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

/** Skips every named limit; put it on a controller, then @RateLimit(name) on the routes that have one. */
export const NoRateLimit = () => SkipThrottle(Object.fromEntries(RATE_LIMITS.map((n) => [n, true])));
export const RateLimit = (name: RateLimitName) => applyDecorators(SkipThrottle({ [name]: false }));

export function rateLimitModule(config: AppConfig): DynamicModule {
  const ttl = seconds(config.limits.windowSeconds);
  return ThrottlerModule.forRoot({
    throttlers: RATE_LIMITS.map((name) => ({ name, ttl, limit: config.limits[name] })),
    setHeaders: false,
    // Given a URL, the storage owns its connection and closes it when the app shuts down.
    storage: new ThrottlerStorageRedisService(config.redis.url, { keyPrefix: `${config.redis.prefix}throttle:` }),
    // AuthGuard runs first, so the user is known; the address only counts for a request without one.
    getTracker: (req: { user?: { id: string }; ip?: string }) => (req.user ? `user:${req.user.id}` : `ip:${req.ip}`),
  });
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(retryAfter));
    const message = `too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s; retry after ${retryAfter} s`;
    return Promise.reject(
      new UploadError(UploadErrorCode.RateLimited, message, { limit: detail.limit, retryAfterSeconds: retryAfter }),
    );
  }
}
