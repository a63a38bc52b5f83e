/**
 * The floor of any server in the upload path: a bare `node:http` relay that pipes each request's body
 * into a PUT to the presigned part URL named in its query (`PUT /relay?to=<url>`) and answers with
 * storage's status. No framework, no SDK, no checks: what receiving and re-sending the bytes costs by
 * itself on this machine. The chunk route does the same work plus its own (auth, session, progress).
 *   BENCH_PORT=<port> node dist/bench/servers/relay.server.js
 */
import { Agent, createServer, request } from 'node:http';
import { pipeline } from 'node:stream/promises';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

const server = createServer((req, res) => {
  const to = new URL(req.url ?? '/', 'http://relay').searchParams.get('to');
  if (!to) {
    res.writeHead(400).end('to= is missing');
    return;
  }
  const upstream = request(
    to,
    { method: 'PUT', agent, headers: { 'content-length': req.headers['content-length'] ?? 0 } },
    (answer) => {
      answer.resume();
      answer.on('end', () =>
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' }).end('{"success":true}'),
      );
    },
  );
  pipeline(req, upstream).catch((error: Error) => {
    if (!res.headersSent) res.writeHead(502).end(error.message);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`relay listening ${JSON.stringify(server.address())}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
