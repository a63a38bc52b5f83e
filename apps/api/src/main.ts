/** The HTTP API. Configuration is validated before anything starts; a bad setting stops it with its name. */
import 'reflect-metadata';
import { loadConfig } from '#config';
import { announce, logFatal, startMetricsServer } from '#observability';
import { createApp } from './bootstrap.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  const { host, port, publicUrl } = config.http;
  const { metrics } = config;
  let metricsAt = metrics.token ? `${publicUrl}/metrics` : 'off (set METRICS_TOKEN or METRICS_PORT)';
  if (metrics.port > 0) {
    // Its own listener: the scrape never shares the public port. It closes with the process.
    const server = await startMetricsServer(host, metrics.port, metrics.token);
    server.unref();
    metricsAt = `${host}:${metrics.port}/metrics`;
  }
  announce(
    'Api',
    `reelay api listening on ${host}:${port}, public URL ${publicUrl} (storage: ${config.storage.driver}, ` +
      `docs: ${publicUrl}/docs, metrics: ${metricsAt})`,
  );
}

main().catch((error: unknown) => {
  logFatal(error);
  process.exit(1);
});
