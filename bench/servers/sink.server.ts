/**
 * The client's ceiling: an HTTP server that reads every body and throws it away, then answers a small
 * JSON. The same upload against it shows how fast the bench's client and loopback go with no storage.
 *   BENCH_PORT=<port> node dist/bench/servers/sink.server.js
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  let bytes = 0;
  req.on('data', (d: Buffer) => (bytes += d.length));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: true, data: { bytes } }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`sink listening ${JSON.stringify(server.address())}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
