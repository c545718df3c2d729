/**
 * The benchmark site: a sitemap index of gzipped sitemaps on 127.0.0.1, served from memory by a
 * process of its own so the parsers measured do not share its event loop.
 *
 *   node --import tsx bench/sitemap/site.ts [children] [urlsPerChild]
 *
 * `/sitemap_index.xml` lists `/sitemaps/<i>.xml.gz`; each child holds `urlsPerChild` URLs with
 * `lastmod`, `changefreq` and `priority`, pretty-printed as real generators do. Everything is
 * generated deterministically and gzipped once at start. Prints `{"url": ...}` once listening.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

const children = Number(process.argv[2] ?? 20);
const urlsPerChild = Number(process.argv[3] ?? 50_000);
const FREQS = ['daily', 'weekly', 'monthly'];
const START = Date.UTC(2024, 0, 1);

function entry(base: string, index: number): string {
  const lastmod = new Date(START + index * 60_000).toISOString();
  return [
    '  <url>',
    `    <loc>${base}/products/item-${index}?color=${index % 7}&amp;size=m</loc>`,
    `    <lastmod>${lastmod}</lastmod>`,
    `    <changefreq>${FREQS[index % FREQS.length]}</changefreq>`,
    `    <priority>0.${(index % 9) + 1}</priority>`,
    '  </url>',
  ].join('\n');
}

function child(base: string, number: number): Buffer {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">');
  for (let i = 0; i < urlsPerChild; i++) {
    lines.push(entry(base, number * urlsPerChild + i));
  }
  lines.push('</urlset>', '');
  return gzipSync(lines.join('\n'));
}

function index(base: string): string {
  const items = Array.from(
    { length: children },
    (_, i) => `  <sitemap><loc>${base}/sitemaps/${i}.xml.gz</loc></sitemap>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...items,
    '</sitemapindex>',
    '',
  ].join('\n');
}

const bodies = new Map<string, { type: string; body: Buffer }>();
const server = createServer((req, res) => {
  const found = bodies.get(req.url ?? '');
  if (found === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': found.type, 'content-length': found.body.length });
  res.end(found.body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  bodies.set('/sitemap_index.xml', { type: 'application/xml', body: Buffer.from(index(base)) });
  for (let i = 0; i < children; i++) {
    bodies.set(`/sitemaps/${i}.xml.gz`, { type: 'application/gzip', body: child(base, i) });
  }
  // Collect the garbage of the generation now, not while a parser is being measured.
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ url: base })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
