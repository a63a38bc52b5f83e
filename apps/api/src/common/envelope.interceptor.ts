/**
 * Wraps whatever a handler returns in { success: true, data }, except on routes marked @NoEnvelope():
 * those answer in a shape a third-party client reads (Uppy's Companion routes). Errors keep the envelope.
 */
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import { type Envelope, ok } from './envelope.js';

const NO_ENVELOPE = 'reelay:no-envelope';

/** The handler's (or controller's) result is the body as it is. */
export const NoEnvelope = () => SetMetadata(NO_ENVELOPE, true);

@Injectable()
export class EnvelopeInterceptor<T> implements NestInterceptor<T, Envelope<T> | T> {
  private readonly reflector = new Reflector();

  intercept(context: ExecutionContext, next: CallHandler<T>): Observable<Envelope<T> | T> {
    if (this.reflector.getAllAndOverride<boolean>(NO_ENVELOPE, [context.getHandler(), context.getClass()]))
      return next.handle();
    return next.handle().pipe(map((data) => ok(data)));
  }
}
