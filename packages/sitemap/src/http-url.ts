/** URL helpers: only absolute http and https URLs are ever fetched or kept. */

/** `text` parsed, when it is an absolute http(s) URL; undefined otherwise. */
export function parseHttpUrl(text: string): URL | undefined {
  if (typeof text !== 'string' || !URL.canParse(text)) {
    return undefined;
  }
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** The identity of a sitemap for "read once": the normalised URL without its fragment. */
export function visitKey(url: URL): string {
  return url.hash.length === 0 ? url.href : url.href.slice(0, -url.hash.length);
}
