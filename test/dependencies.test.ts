import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, test } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

// DESIGN.md, "Packages": dependencies point one way, crawlers and storage clients to core, core
// to sitemap, nothing back.
const ALLOWED: Record<string, string[]> = {
  sitemap: [],
  core: ['@trawl/sitemap'],
  'http-crawler': ['@trawl/core', '@trawl/sitemap'],
  'browser-crawler': ['@trawl/core', '@trawl/sitemap'],
  redis: ['@trawl/core', '@trawl/sitemap'],
  trawl: [
    '@trawl/core',
    '@trawl/sitemap',
    '@trawl/http-crawler',
    '@trawl/browser-crawler',
    '@trawl/redis',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function importedPackages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(@trawl\/[a-z-]+|trawl)'/g)].map((match) => match[1]!);
}

describe('package dependencies', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    test(`${pkg} imports only ${allowed.join(', ') || 'no other trawl package'}`, () => {
      const files = sourceFiles(join(root, 'packages', pkg, 'src'));
      const offending = files.flatMap((file) =>
        importedPackages(file)
          .filter((name) => !allowed.includes(name))
          .map((name) => `${file} imports ${name}`),
      );

      expect(files.length).toBeGreaterThan(0);
      expect(offending).toEqual([]);
    });
  }
});
