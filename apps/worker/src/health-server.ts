/**
 * The worker's health, on a small port of its own (WORKER_HEALTH_PORT) since it serves no other HTTP:
 * GET /health/live answers 200 while the process runs; GET /health/ready answers 200 when PostgreSQL,
 * Redis and storage answer within 2 s, else 503 with the report, as the API's routes do. GET /metrics
 * answers the worker's Prometheus metrics (jobs, storage, expired and failed uploads), with
 * `Authorization: Bearer <METRICS_TOKEN>` when that is set.
 */
import { createServer, type Server } from 'node:http';
import { answerScrape, METRICS_PATH } from '#observability';
import type { Readiness } from '#uploads';

export async function startHealthServer(
  readiness: Readiness,
  host: string,
  port: number,
  metricsToken?: string,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const answer = (status: number, body: unknown) =>
      res
        .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(body));
    if (req.method !== 'GET') return answer(405, { status: 'method not allowed' });
    if (path === '/health/live') return answer(200, { status: 'ok' });
    if (path === METRICS_PATH) return void answerScrape(req, res, metricsToken).catch(() => answer(500, {}));
    if (path !== '/health/ready') return answer(404, { status: 'not found' });
    readiness.check().then(
      (report) => answer(report.ready ? 200 : 503, report),
      () => answer(503, { ready: false }),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
