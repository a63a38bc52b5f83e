/**
 * An HTTP proxy in front of the real S3 server that can make storage fail on purpose: requests that
 * match a rule get a 500 InternalError (S3's own shape) instead of reaching the server. Everything
 * else passes through untouched (Host header included, so SigV4 signatures stay valid).
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';

export type FaultRule = (req: IncomingMessage, url: URL) => boolean;

export class FaultProxy {
  private server?: Server;
  private rules: Array<{ match: FaultRule; remaining: number; midBody: boolean }> = [];
  readonly failed: string[] = [];
  /** Every request seen, as `METHOD /path?query`. */
  readonly requests: string[] = [];

  constructor(private readonly target: string) {}

  /**
   * Fails the next `times` requests that match: after reading the whole body, or `midBody` as soon as
   * the first bytes of the body arrive (a 500, then the connection is dropped).
   */
  failWhen(match: FaultRule, times = 1, midBody = false): void {
    this.rules.push({ match, remaining: times, midBody });
  }

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      this.requests.push(`${req.method} ${url.pathname}${url.search}`);
      const rule = this.rules.find((r) => r.remaining > 0 && r.match(req, url));
      if (rule) {
        rule.remaining--;
        this.failed.push(`${req.method} ${url.pathname}${url.search}`);
        if (rule.midBody) {
          req.once('data', () => {
            res.writeHead(500, { 'content-type': 'application/xml', connection: 'close' });
            res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code></Error>', () =>
              req.socket.destroy(),
            );
          });
          return;
        }
        req.resume();
        req.on('end', () => {
          res.writeHead(500, { 'content-type': 'application/xml' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected fault</Message></Error>',
          );
        });
        return;
      }
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
