import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  CheerioCrawler,
  Configuration,
  Log,
  LogLevel,
  createCheerioRouter,
} from '@trawl/http-crawler';

import { PRODUCTS, formatPrice } from '../examples/demo-shop/catalog.js';
import { startDemoShop, type DemoShop } from '../examples/demo-shop/server.js';

describe('CheerioCrawler on the demo shop', () => {
  let shop: DemoShop;
  let dir: string;

  beforeAll(async () => {
    shop = await startDemoShop();
    dir = await mkdtemp(join(tmpdir(), 'trawl-http-demo-'));
  });
  afterAll(async () => {
    await shop.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('crawls listings into detail pages and exports the exact rows to CSV and JSON', async () => {
    const router = createCheerioRouter();
    router.addDefaultHandler(async ({ enqueueLinks }) => {
      await enqueueLinks({ selector: 'a.category', label: 'LISTING' });
    });
    router.addHandler('LISTING', async ({ enqueueLinks }) => {
      await enqueueLinks({ selector: 'a.product', label: 'DETAIL' });
      await enqueueLinks({ selector: 'a.next', label: 'LISTING' });
    });
    router.addHandler('DETAIL', async ({ request, $, pushData }) => {
      const detail = $('article.product-detail');
      await pushData({
        url: request.loadedUrl,
        sku: detail.find('.sku').text(),
        title: detail.find('h1').text(),
        price: detail.find('.price').text(),
        inStock: detail.find('.stock').text() === 'In stock',
      });
    });
    const crawler = new CheerioCrawler(
      { requestHandler: router, log: new Log({ level: LogLevel.OFF }) },
      new Configuration({ persistStorage: false, purgeOnStart: false }),
    );

    const stats = await crawler.run([`${shop.url}/`]);
    await crawler.exportData(join(dir, 'products.csv'));
    await crawler.exportData(join(dir, 'products.json'));

    const expected = [...PRODUCTS]
      .sort((a, b) => a.sku.localeCompare(b.sku))
      .map((product) => ({
        url: `${shop.url}/product/${product.id}`,
        sku: product.sku,
        title: product.title,
        price: formatPrice(product.priceCents),
        inStock: product.inStock,
      }));
    const json = JSON.parse(await readFile(join(dir, 'products.json'), 'utf8')) as typeof expected;
    expect(json.sort((a, b) => a.sku.localeCompare(b.sku))).toEqual(expected);

    const [header, ...rows] = (await readFile(join(dir, 'products.csv'), 'utf8'))
      .trim()
      .split('\n');
    expect(header).toBe('url,sku,title,price,inStock');
    expect(rows.sort()).toEqual(
      expected.map((row) => [row.url, row.sku, row.title, row.price, row.inStock].join(',')).sort(),
    );

    const listingPages = 3 * Math.ceil(PRODUCTS.length / 3 / 6);
    expect(stats.requestsFinished).toBe(1 + listingPages + PRODUCTS.length);
    expect(stats.requestsFailed).toBe(0);
  });
});
