/** Liveness for load balancers and the test harness; answers once the app is wired. */
import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NoRateLimit } from '../auth/rate-limits.js';
import { Public } from '../auth/public.decorator.js';

@ApiExcludeController()
@Public()
@NoRateLimit()
@Controller('health')
export class HealthController {
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
