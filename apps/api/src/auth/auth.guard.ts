/**
 * Every route needs `Authorization: Bearer <JWT>`, unless it is marked @AuthByAccessToken (the access token
 * it reads from its request instead) or @Public(). The caller lands on request.user.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from './auth-user.js';
import { AccessTokens } from '#uploads';
import { ACCESS_TOKEN_AUTH, type AccessTokenAuth } from './access-token-auth.decorator.js';
import { JwtVerifier } from './jwt-verifier.js';
import { IS_PUBLIC } from './public.decorator.js';

export type AuthenticatedRequest = FastifyRequest & { user: AuthUser };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const byToken = this.reflector.getAllAndOverride<AccessTokenAuth | undefined>(ACCESS_TOKEN_AUTH, targets);
    if (byToken) {
      const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
      request.user = await this.tokens.authenticate(byToken.read(request) ?? '', byToken.purpose);
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.user = await this.verifier.authenticate(request.headers.authorization);
    return true;
  }
}
