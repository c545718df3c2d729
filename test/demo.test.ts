import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, describe, expect, test } from 'vitest';

import { PRODUCTS, formatPrice } from '../examples/demo-shop/catalog.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

describe('npm run demo', () => {
  let dir: string;

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('crawls the demo shop into the dataset and says where the data went', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trawl-demo-'));
    const env = { ...process.env, CRAWLEE_STORAGE_DIR: dir };

    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'examples/demo-shop/demo.ts'],
      { cwd: root, env },
    );

    expect(stdout).toContain(`stored ${PRODUCTS.length} products`);
    expect(stdout).toContain(join(dir, 'datasets', 'default'));
    const folder = join(dir, 'datasets', 'default');
    const items = readdirSync(folder).map(
      (file) => JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>,
    );
    expect(items.map((item) => item.sku).sort()).toEqual(PRODUCTS.map((p) => p.sku).sort());
    expect(items.find((item) => item.sku === PRODUCTS[0]!.sku)).toMatchObject({
      title: PRODUCTS[0]!.title,
      price: formatPrice(PRODUCTS[0]!.priceCents),
      inStock: PRODUCTS[0]!.inStock,
    });
    const csv = readFileSync(join(dir, 'demo-shop-products.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('url,sku,title,price,inStock');
    expect(csv).toHaveLength(PRODUCTS.length + 1);
  });
});
