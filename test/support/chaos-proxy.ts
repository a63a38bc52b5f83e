/**
 * An HTTP proxy in front of the real S3 server for the chaos tests. A request that matches a rule is
 * failed (a 500 InternalError in S3's shape), held (never forwarded, never answered: storage hangs), or
 * forwarded and its answer held (storage did the work, the caller never hears): the last two let a test
 * kill a process at a chosen step instead of hoping to win a race. Everything else passes through
 * untouched (Host header included, so SigV4 signatures stay valid).
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ProxyMatch = (req: IncomingMessage, url: URL) => boolean;
type Action = 'fail' | 'hold-request' | 'hold-response';

interface Rule {
  match: ProxyMatch;
  action: Action;
  remaining: number;
  /** Chance that a matching request is acted on (seeded by the test's random source). */
  chance: number;
  onHit?: (what: string) => void;
}

const S3_INTERNAL_ERROR =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected fault</Message></Error>';

export class ChaosProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  /** Its own connections to storage, closed with the proxy (the global agent would keep them alive). */
  private readonly agent = new Agent({ keepAlive: true });
  private rules: Rule[] = [];
  /** Requests failed on purpose, as `METHOD /path?query`. */
  readonly failed: string[] = [];
  /** Requests (or answers) held on purpose. */
  readonly held: string[] = [];

  constructor(
    private readonly target: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Fails each matching request with probability `chance`, at most `times` times. */
  failRandomly(match: ProxyMatch, chance: number, times: number): void {
    this.rules.push({ match, action: 'fail', remaining: times, chance });
  }

  /** Holds every matching request from now on; resolves when the first one is held. */
  holdRequests(match: ProxyMatch, times = Infinity): Promise<string> {
    return new Promise((onHit) =>
      this.rules.push({ match, action: 'hold-request', remaining: times, chance: 1, onHit }),
    );
  }

  /** Forwards the next matching request and holds storage's answer; resolves once storage has answered. */
  holdResponse(match: ProxyMatch): Promise<string> {
    return new Promise((onHit) => this.rules.push({ match, action: 'hold-response', remaining: 1, chance: 1, onHit }));
  }

  /** How many times the proxy failed part `partNumber` of the multipart upload `multipartUploadId`. */
  partFailures(multipartUploadId: string, partNumber: number): number {
    return this.failed.filter((what) => {
      const query = new URL(what.split(' ')[1], 'http://proxy').searchParams;
      return query.get('uploadId') === multipartUploadId && query.get('partNumber') === String(partNumber);
    }).length;
  }

  /** Drops every rule; what is held stays held until its caller goes away or the proxy stops. */
  clearRules(): void {
    this.rules = [];
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const what = `${req.method} ${url.pathname}${url.search}`;
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(req, url) && this.random() < r.chance);
    if (rule) rule.remaining--;
    if (rule?.action === 'fail') {
      this.failed.push(what);
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(S3_INTERNAL_ERROR);
      });
      return;
    }
    if (rule?.action === 'hold-request') {
      this.held.push(what);
      rule.onHit?.(what);
      return;
    }
    const target = new URL(this.target);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.agent,
      },
      (up) => {
        if (rule?.action === 'hold-response') {
          up.resume();
          up.on('end', () => {
            this.held.push(what);
            rule.onHit?.(what);
          });
          return;
        }
        // Storage may answer (a 403 for an expired URL) before the body is all sent: the connection then
        // closes, as S3's does, rather than stay open with the rest of a body nobody reads.
        const headers = req.complete ? up.headers : { ...up.headers, connection: 'close' };
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  }
}
