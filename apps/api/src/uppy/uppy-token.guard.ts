/**
 * Authenticates the Companion routes by the token in their path (`/api/v1/uppy/<token>/s3/...`):
 * Uppy's S3 plugin sends no headers to its Companion endpoint, so the endpoint itself carries the token
 * minted by POST /api/v1/uppy/endpoints. The caller lands on request.user, as AuthGuard does it.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AccessTokens } from '#uploads';
import type { AuthenticatedRequest } from '../auth/auth.guard.js';

@Injectable()
export class UppyTokenGuard implements CanActivate {
  constructor(private readonly tokens: AccessTokens) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { params: { token?: string } }>();
    request.user = await this.tokens.authenticate(request.params.token ?? '', 'uppy');
    return true;
  }
}
