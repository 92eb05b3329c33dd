/**
 * The measurement floor: a node:http server that reads each request and answers a fixed
 * GetLoginProfile response, nothing else (no signature check, no store). Driven by the same load
 * generator at the same rate as iamd's half-rate runs, its p99 is what this machine and this
 * generator add to any server's latency; iamd's p99 above it is iamd's own.
 *
 *   node dist-bench/bench/floor-server.js   → prints "iamd listening on URL" (startIamd's line)
 */
import http from 'node:http';
import { FLOOR_BODY as BODY } from './floor-body.js';

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`iamd listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
