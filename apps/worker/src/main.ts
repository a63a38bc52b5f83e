/** The worker: consumes the processing queues. No HTTP server; deploy and scale it on its own. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#config';
import { announce, collectProcessMetrics, installLogger, logFatal } from '#observability';
import { Readiness } from '#uploads';
import { startHealthServer } from './health-server.js';
import { WorkerModule } from './worker.module.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = installLogger({ app: 'worker', level: config.logLevel, format: config.logFormat });
  collectProcessMetrics();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger,
    abortOnError: false,
  });
  // SIGTERM/SIGINT: the workers stop taking jobs and finish (or hand back) the current ones first.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  const { healthPort } = config.worker;
  if (healthPort > 0) {
    const server = await startHealthServer(app.get(Readiness), config.http.host, healthPort, config.metrics.token);
    process.once('SIGTERM', () => server.close());
    process.once('SIGINT', () => server.close());
  }
  const health = healthPort > 0 ? `, health on ${config.http.host}:${healthPort}` : '';
  announce(
    'Worker',
    `reelay worker started (concurrency ${config.worker.concurrency}, storage: ${config.storage.driver}${health})`,
  );
}

main().catch((error: unknown) => {
  logFatal(error);
  process.exit(1);
});
