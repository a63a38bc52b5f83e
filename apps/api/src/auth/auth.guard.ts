/** Every route needs `Authorization: Bearer <JWT>` unless marked @Public(). The caller lands on request.user. */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '#config';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import type { AuthUser } from './auth-user.js';
import { JwtVerifier } from './jwt-verifier.js';
import { IS_PUBLIC } from './public.decorator.js';

export type AuthenticatedRequest = FastifyRequest & { user: AuthUser };

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly verifier: JwtVerifier;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.verifier = new JwtVerifier(config.auth);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+([A-Za-z0-9_.-]+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UploadError(UploadErrorCode.Unauthorized, 'send Authorization: Bearer <token>');
    request.user = await this.verifier.verify(match[1]);
    return true;
  }
}
