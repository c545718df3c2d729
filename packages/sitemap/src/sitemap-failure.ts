/**
 * How reading one sitemap failed, and the public `SitemapError` each failure becomes: one
 * sentence naming the sitemap, what went wrong and what to do, credentials removed.
 */
import { SitemapError } from './errors.js';
import { redact, sanitizedCause } from './redact.js';

/** How a sitemap failed, before it is turned into a public `SitemapError` with its URL. */
export type FailureKind = 'fetch' | 'parse' | 'too-large' | 'not-sitemap';

/** A failure reading one sitemap; `reason` completes a sentence about the sitemap. */
export class SitemapFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    readonly statusCode?: number,
    cause?: unknown,
  ) {
    super(reason, cause === undefined ? undefined : { cause });
  }

  /** Whether another attempt may succeed: network errors, timeouts, 408, 429 and 5xx. */
  get isRetryable(): boolean {
    const status = this.statusCode;
    return (
      this.kind === 'fetch' &&
      (status === undefined || status >= 500 || status === 408 || status === 429)
    );
  }
}

/** The public error for `failure` of the sitemap `origin`, credentials removed. */
export function toSitemapError(
  failure: SitemapFailure,
  origin: string,
  attempts: number,
  secrets: readonly string[],
): SitemapError {
  const shown = redact(origin, secrets);
  const reason = redact(failure.reason, secrets);
  const cause = failure.cause === undefined ? undefined : sanitizedCause(failure.cause, secrets);
  const options = { cause, statusCode: failure.statusCode };
  const tries = attempts > 1 ? ` on all ${attempts} attempts` : '';
  switch (failure.kind) {
    case 'fetch': {
      const answer =
        failure.statusCode === undefined
          ? `could not be fetched (${reason})`
          : `answered ${reason}`;
      const next =
        failure.statusCode !== undefined && failure.statusCode < 500
          ? 'check that the URL is right'
          : 'check the host and the proxy, or try again later';
      return new SitemapError(
        'TRAWL_SITEMAP_FETCH',
        `Sitemap ${shown} ${answer}${tries}; ${next}`,
        origin,
        options,
      );
    }
    case 'too-large':
      return new SitemapError(
        'TRAWL_SITEMAP_TOO_LARGE',
        `Sitemap ${shown} ${reason} once decompressed (maxDecompressedBytes); ` +
          'the URLs before the limit were read, raise the limit if the file is genuine',
        origin,
        options,
      );
    case 'not-sitemap':
      return new SitemapError(
        'TRAWL_SITEMAP_CONTENT_TYPE',
        `Sitemap ${shown} ${reason}; check the URL`,
        origin,
        options,
      );
    case 'parse':
      return new SitemapError(
        'TRAWL_SITEMAP_PARSE',
        `Sitemap ${shown} ${reason}; the URLs before this point were read`,
        origin,
        options,
      );
  }
}
