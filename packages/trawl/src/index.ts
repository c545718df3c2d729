// The `trawl` package: every public name of trawl's packages in one import, so a Crawlee crawler
// ports by changing its import line. Packages whose capability has not landed yet export nothing
// and are not listed.
export * from '@trawl/core';
export * from '@trawl/http-crawler';
export * from '@trawl/sitemap';
