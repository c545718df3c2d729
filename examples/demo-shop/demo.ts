/**
 * `npm run demo`: starts the bundled demo shop on 127.0.0.1 and crawls it into the default
 * dataset. Until trawl's crawlers land, this is a plain loop over trawl's RequestQueue: fetch a
 * request, load its page, enqueue the links it shows, store each product.
 */
import { join } from 'node:path';

import * as cheerio from 'cheerio';
import { Configuration, Dataset, RequestQueue, log } from 'trawl';

import { startDemoShop } from './server.js';

const shop = await startDemoShop();
log.info(`Demo shop running at ${shop.url}`);

const queue = await RequestQueue.open();
const dataset = await Dataset.open();
await queue.addRequest({ url: `${shop.url}/` });

for (
  let request = await queue.fetchNextRequest();
  request;
  request = await queue.fetchNextRequest()
) {
  const response = await fetch(request.url);
  const $ = cheerio.load(await response.text());
  const links = $('a[href]')
    .map((_i, a) => new URL($(a).attr('href')!, request.url).href)
    .get()
    .filter((href) => href.startsWith(shop.url));
  await queue.addRequests(links);

  const detail = $('article.product-detail');
  if (detail.length > 0) {
    await dataset.pushData({
      url: request.url,
      sku: detail.find('.sku').text(),
      title: detail.find('h1').text(),
      price: detail.find('.price').text(),
      inStock: detail.find('.stock').text() === 'In stock',
    });
  }
  await queue.markRequestHandled(request);
}

const storageDir = Configuration.getGlobalConfig().storageDir;
const csvPath = join(storageDir, 'demo-shop-products.csv');
await dataset.exportToFile(csvPath);
const { itemCount } = (await dataset.getInfo())!;
log.info(`Crawled ${await queue.handledCount()} pages and stored ${itemCount} products`);
log.info(`Items, one JSON file each: ${join(storageDir, 'datasets', dataset.name ?? 'default')}`);
log.info(`All products as CSV: ${csvPath}`);
await shop.close();
