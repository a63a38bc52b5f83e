/**
 * GET /metrics outside the API's router: the worker's health port and the API's METRICS_PORT listener
 * (plain Node servers). With a token, a scrape must send `Authorization: Bearer <token>`, else 401.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { metricsExposition } from './metrics.js';

export const METRICS_PATH = '/metrics';

/** Whether a scrape may read the metrics: any scrape without a token, else only `Bearer <token>`. */
export function scrapeAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Answers one scrape on a Node server: 401 without the token, else the exposition. */
export async function answerScrape(req: IncomingMessage, res: ServerResponse, token?: string): Promise<void> {
  if (!scrapeAllowed(req.headers.authorization, token)) {
    res
      .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
      .end(JSON.stringify({ status: 'unauthorized' }));
    return;
  }
  const { contentType, text } = await metricsExposition();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(text);
}

/** A listener on host:port that serves GET /metrics and nothing else (404). */
export async function startMetricsServer(host: string, port: number, token?: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== METRICS_PATH) return void res.writeHead(404).end();
    answerScrape(req, res, token).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
