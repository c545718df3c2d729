/**
 * `npm run demo`: starts the bundled demo shop on 127.0.0.1 and crawls it with a CheerioCrawler:
 * category pages, then every product page, into the default dataset, then exports a CSV.
 */
import { join } from 'node:path';

import { CheerioCrawler, Configuration, createCheerioRouter, log } from 'trawl';

import { startDemoShop } from './server.js';

const shop = await startDemoShop();
log.info(`Demo shop running at ${shop.url}`);

const router = createCheerioRouter();
router.addDefaultHandler(async ({ enqueueLinks }) => {
  await enqueueLinks({ selector: 'a.category', label: 'CATEGORY' });
});
router.addHandler('CATEGORY', async ({ enqueueLinks }) => {
  await enqueueLinks({ selector: 'a.product', label: 'PRODUCT' });
  await enqueueLinks({ selector: 'a.next', label: 'CATEGORY' });
});
router.addHandler('PRODUCT', async ({ $, request, pushData }) => {
  const detail = $('article.product-detail');
  await pushData({
    url: request.url,
    sku: detail.find('.sku').text(),
    title: detail.find('h1').text(),
    price: detail.find('.price').text(),
    inStock: detail.find('.stock').text() === 'In stock',
  });
});

const crawler = new CheerioCrawler({ requestHandler: router, maxConcurrencyPerHost: 8 });
const stats = await crawler.run([`${shop.url}/`]);

const storageDir = Configuration.getGlobalConfig().storageDir;
const csvPath = join(storageDir, 'demo-shop-products.csv');
await crawler.exportData(csvPath);
const { total } = await crawler.getData();
log.info(`Crawled ${stats.requestsFinished} pages and stored ${total} products`);
log.info(`Items, one JSON file each: ${join(storageDir, 'datasets', 'default')}`);
log.info(`All products as CSV: ${csvPath}`);
await shop.close();
