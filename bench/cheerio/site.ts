/**
 * The benchmark site: 20,000 small HTML pages on 127.0.0.1, served from memory by a process of
 * its own so the crawlers measured do not share its event loop.
 *
 *   node --import tsx bench/cheerio/site.ts [pages]
 *
 * Prints `{"url": ...}` once listening. Page i links to pages 5i+1 … 5i+5, so every page is
 * reachable from /page/0, plus a navigation bar whose links are all duplicates.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const pages = Number(process.argv[2] ?? 20_000);
const FANOUT = 5;

function page(index: number): string {
  const children = Array.from({ length: FANOUT }, (_, k) => index * FANOUT + k + 1)
    .filter((child) => child < pages)
    .map((child) => `<li><a class="child" href="/page/${child}">Page ${child}</a></li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Page ${index}</title></head>
<body>
<nav><a href="/page/0">Home</a> <a href="/page/1">One</a> <a href="/page/2">Two</a></nav>
<main>
<h1>Page ${index}</h1>
<p>This is page ${index} of the benchmark site. It is small, like a listing or product page
with a heading, two paragraphs and a few links, so that the crawler's own work dominates.</p>
<p>Price: $${(index % 97) + 0.99}. In stock: ${index % 3 === 0 ? 'no' : 'yes'}.</p>
<ul>
${children}
</ul>
</main>
<footer><a href="/page/0">Back to the start</a></footer>
</body>
</html>
`;
}

const server = createServer((req, res) => {
  const match = /^\/page\/(\d+)$/.exec(req.url ?? '');
  const index = match ? Number(match[1]) : -1;
  if (index < 0 || index >= pages) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(index));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
