/**
 * A fast upstream for the HTTP benchmarks: one node:http server answering every request with the
 * same JSON document of about 1 KB, after an optional delay. Each runs in a process of its own so
 * that it never shares an event loop with the benchmark or with the proxy under test.
 *
 *   node --import tsx bench/upstream-server.ts --port 0 --delay-ms 0
 *
 * Prints `upstream listening on <port>` once it accepts connections; stops on SIGTERM.
 * GET /__bench/stats answers at once with the connections accepted and requests served so far
 * (itself not counted): the benchmark reads how many requests and connections each setup cost.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

/** The response body: a small catalogue page, close to 1 KB. */
export function upstreamBody(): Buffer {
  const doc = {
    page: 1,
    total: 40,
    generatedBy: 'catalogue-service',
    items: Array.from({ length: 4 }, (_, i) => ({
      id: 10_000 + i,
      sku: `SKU-${i.toString(16).padStart(6, '0')}`,
      name: `Product number ${i}`,
      price: 19.95 + i,
      currency: 'EUR',
      tags: ['new', i % 2 ? 'sale' : 'regular', `group-${i % 5}`],
      stock: { warehouse: 'eu-west', available: (i * 37) % 100, reserved: i % 3 },
      rating: { average: 3.5 + (i % 3) / 2, count: 100 + i },
    })),
  };
  return Buffer.from(JSON.stringify(doc));
}

function main(): void {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, 'delay-ms': { type: 'string', default: '0' } },
  });
  const port = Number(values.port);
  const delayMs = Number(values['delay-ms']);
  const body = upstreamBody();
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

  let connections = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    if (req.url === '/__bench/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ connections, requests }));
      return;
    }
    requests++;
    const send = () => {
      res.writeHead(200, headers);
      res.end(body);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
  server.on('connection', () => connections++);
  // Keep-alive connections for as long as a benchmark lasts; no per-socket request limit.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  server.listen(port, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`upstream listening on ${typeof address === 'object' && address ? address.port : port}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
