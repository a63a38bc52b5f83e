/**
 * Routes a client calls without an Authorization header (Uppy's Companion client sends none): the caller
 * is the single-purpose access token the route reads from its own request (a path segment, a query
 * parameter), minted by an authenticated call. AuthGuard authenticates it, so that the caller is known
 * to the per-user rate limits that run after it.
 */
import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AccessTokenPurpose } from '#videos';

export const ACCESS_TOKEN_AUTH = 'reelay:access-token-auth';

export interface AccessTokenAuth {
  purpose: AccessTokenPurpose;
  /** The token in the request; undefined or '' is UNAUTHORIZED. */
  read(request: FastifyRequest): string | undefined;
}

export const AuthByAccessToken = (auth: AccessTokenAuth) => SetMetadata(ACCESS_TOKEN_AUTH, auth);
