/**
 * Health for load balancers, orchestrators and the test harness, without a token:
 *  - GET /health and /health/live: liveness, 200 once the app is wired (restart the process when it fails);
 *  - GET /health/ready: readiness, 200 when PostgreSQL, Redis and storage each answer within 2 s, else
 *    503 naming the one that did not (send no traffic until it is 200 again).
 */
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readiness, type ReadinessReport } from '#uploads';
import { NoRateLimit } from '../auth/rate-limits.js';
import { NoEnvelope } from '../common/envelope.interceptor.js';
import { Public } from '../auth/public.decorator.js';

@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: Readiness) {}

  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** The report as it is (orchestrators read the status; people read `checks`). */
  @Get('ready')
  @NoEnvelope()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.check();
    if (!report.ready) void reply.status(503);
    return report;
  }
}
