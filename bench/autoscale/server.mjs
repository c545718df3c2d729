// The steady load of the autoscaling benchmark: every page answers after a fixed delay, like a
// remote site with a round-trip time. Runs in its own process so it never shares the crawler's
// event loop. Prints its port once listening.
import { createServer } from 'node:http';

const delayMillis = Number(process.argv[2] ?? 20);
const body = `<html><body>${'<p>steady load</p>'.repeat(50)}</body></html>`;
const server = createServer((_req, res) => {
  setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end(body), delayMillis);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
