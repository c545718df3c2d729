/**
 * The bundled demo shop: a small web shop served on 127.0.0.1 from memory, with listing pages,
 * pagination, product pages, robots.txt and a sitemap. The demo crawls it; so do the end-to-end
 * tests. No network beyond loopback is used.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CATEGORIES, PAGE_SIZE, PRODUCTS, formatPrice, type Product } from './catalog.js';

/** A running demo shop. */
export interface DemoShop {
  /** Base URL, such as `http://127.0.0.1:41234`. */
  url: string;
  /** Stops the server. */
  close(): Promise<void>;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} | Tea Shop</title></head>
<body>
<header><a href="/" class="home">Tea Shop</a></header>
<main>
${body}
</main>
<footer><a href="/about">About</a></footer>
</body>
</html>
`;
}

function homePage(): string {
  const links = CATEGORIES.map(
    (c) => `<li><a class="category" href="/category/${c.slug}">${escapeHtml(c.name)}</a></li>`,
  ).join('\n');
  return layout('Home', `<h1>Tea Shop</h1>\n<ul class="categories">\n${links}\n</ul>`);
}

function listingPage(slug: string, page: number): string | undefined {
  const category = CATEGORIES.find((c) => c.slug === slug);
  const products = PRODUCTS.filter((p) => p.category === slug);
  const pages = Math.ceil(products.length / PAGE_SIZE);
  if (!category || page < 1 || page > pages) {
    return undefined;
  }
  const items = products
    .slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    .map((p) => `<li><a class="product" href="/product/${p.id}">${escapeHtml(p.title)}</a></li>`)
    .join('\n');
  const next =
    page < pages ? `<a class="next" href="/category/${slug}?page=${page + 1}">Next</a>` : '';
  const body =
    `<h1>${escapeHtml(category.name)}</h1>\n<ul class="products">\n${items}\n</ul>\n` + next;
  return layout(`${category.name}, page ${page}`, body);
}

function productPage(product: Product): string {
  const body = `<article class="product-detail" data-sku="${product.sku}">
<h1>${escapeHtml(product.title)}</h1>
<p class="sku">${product.sku}</p>
<p class="price">${formatPrice(product.priceCents)}</p>
<p class="stock">${product.inStock ? 'In stock' : 'Sold out'}</p>
<p class="description">${escapeHtml(product.description)}</p>
<a class="category" href="/category/${product.category}">Back to the category</a>
</article>`;
  return layout(product.title, body);
}

function sitemap(base: string): string {
  const urls = [
    '/',
    ...CATEGORIES.map((c) => `/category/${c.slug}`),
    ...PRODUCTS.map((p) => `/product/${p.id}`),
  ];
  const entries = urls.map((u) => `  <url><loc>${base}${u}</loc></url>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${entries}
</urlset>
`;
}

type Page = { status: number; type: string; body: string };

function route(path: string, query: URLSearchParams, base: string): Page {
  const html = (body: string | undefined): Page =>
    body === undefined
      ? { status: 404, type: 'text/html', body: layout('Not found', '<h1>Not found</h1>') }
      : { status: 200, type: 'text/html', body };
  if (path === '/') {
    return html(homePage());
  }
  if (path === '/about') {
    return html(layout('About', '<h1>About</h1><p>A demo shop for trawl.</p>'));
  }
  if (path === '/robots.txt') {
    return {
      status: 200,
      type: 'text/plain',
      body: `User-agent: *\nDisallow: /cart\nSitemap: ${base}/sitemap.xml\n`,
    };
  }
  if (path === '/sitemap.xml') {
    return { status: 200, type: 'application/xml', body: sitemap(base) };
  }
  const category = /^\/category\/([a-z-]+)$/.exec(path);
  if (category) {
    return html(listingPage(category[1]!, Number(query.get('page') ?? '1')));
  }
  const product = /^\/product\/(\d+)$/.exec(path);
  const found = product ? PRODUCTS.find((p) => p.id === Number(product[1])) : undefined;
  return html(found ? productPage(found) : undefined);
}

/** Starts the demo shop on `host` (127.0.0.1) and `port` (0 picks a free one). */
export async function startDemoShop(
  options: { host?: string; port?: number } = {},
): Promise<DemoShop> {
  const host = options.host ?? '127.0.0.1';
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const page = route(url.pathname, url.searchParams, base);
    res.writeHead(page.status, { 'content-type': `${page.type}; charset=utf-8` });
    res.end(page.body);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  base = `http://${host}:${port}`;
  return {
    url: base,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
