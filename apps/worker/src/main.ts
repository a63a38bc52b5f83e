/** The worker: consumes the processing queues. No HTTP server; deploy and scale it on its own. */
import 'reflect-metadata';
import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#config';
import { Readiness } from '#uploads';
import { startHealthServer } from './health-server.js';
import { WorkerModule } from './worker.module.js';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(config.logLevel as LogLevel) + 1),
    abortOnError: false,
  });
  // SIGTERM/SIGINT: the workers stop taking jobs and finish (or hand back) the current ones first.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.init();
  const { healthPort } = config.worker;
  if (healthPort > 0) {
    const server = await startHealthServer(app.get(Readiness), config.http.host, healthPort);
    process.once('SIGTERM', () => server.close());
    process.once('SIGINT', () => server.close());
  }
  const health = healthPort > 0 ? `, health on ${config.http.host}:${healthPort}` : '';
  console.log(
    `reelay worker started (concurrency ${config.worker.concurrency}, storage: ${config.storage.driver}${health})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
