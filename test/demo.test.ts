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
    const files = readdirSync(join(dir, 'datasets', 'default')).sort();
    expect(files).toHaveLength(PRODUCTS.length);
    const first = JSON.parse(readFileSync(join(dir, 'datasets', 'default', files[0]!), 'utf8'));
    expect(first).toMatchObject({
      sku: PRODUCTS[0]!.sku,
      title: PRODUCTS[0]!.title,
      price: formatPrice(PRODUCTS[0]!.priceCents),
    });
    const csv = readFileSync(join(dir, 'demo-shop-products.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('url,sku,title,price,inStock');
    expect(csv).toHaveLength(PRODUCTS.length + 1);
  });
});
