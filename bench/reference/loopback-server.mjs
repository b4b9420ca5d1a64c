// The trivial loopback server of the load-generator references (bench/README.md): answers
// every request with the same small JSON body, keep-alive, nothing else. It does no work a
// client could make expensive, so what a client spends against it is the client's own cost.
// Prints {"event":"listening","url":...} on stdout; exits when its parent (the bench) is gone.
// Plain Node.js on purpose: no TypeScript loader in the measured path.
import { createServer } from 'node:http';

const body = JSON.stringify({ id: 'bench-wallet', balance_cents: 10000, currency: 'EUR', status: 'active' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://127.0.0.1:${port}` })}\n`);
});

const parent = Number(process.env.MOSHPIT_PARENT_PID || 0);
if (parent > 0) {
  setInterval(() => {
    try { process.kill(parent, 0); } catch { process.exit(0); }
  }, 2000).unref();
}
process.on('SIGTERM', () => server.close(() => process.exit(0)));
