/**
 * Recognising the pages anti-bot services answer with instead of the content: Cloudflare's
 * "checking your browser" interstitial, Imperva Incapsula's incident page and Google's "unusual
 * traffic" page. With `retryOnBlocked`, a crawler that sees one retires the session and tries
 * again on another, as it does for a blocked status code.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What a crawler knows about a loaded page. */
export interface LoadedPageFacts {
  /** The URL finally loaded, after redirects. */
  url: string;
  /** The status code of the response. */
  statusCode?: number;
  /** The response headers, names in lower case. */
  headers?: IncomingHttpHeaders;
  /** The body as text; only its first {@link CHALLENGE_SCAN_CHARS} characters are read. */
  body?: string;
}

/** Characters of a body searched for markers: challenge pages are small, others may not be. */
export const CHALLENGE_SCAN_CHARS = 64 * 1024;

interface ChallengeRule {
  service: string;
  matches(page: LoadedPageFacts, head: string): boolean;
}

const RULES: ChallengeRule[] = [
  {
    service: 'Cloudflare',
    matches: (page, head) =>
      header(page, 'cf-mitigated') === 'challenge' ||
      head.includes('/cdn-cgi/challenge-platform/') ||
      head.includes('challenges.cloudflare.com') ||
      (header(page, 'server') === 'cloudflare' && /<title>\s*just a moment/i.test(head)),
  },
  {
    service: 'Incapsula',
    matches: (_, head) =>
      head.includes('_Incapsula_Resource') || /incapsula incident id/i.test(head),
  },
  {
    service: 'Google unusual traffic',
    matches: (page, head) =>
      /^\/sorry\/(index|image)/.test(pathOf(page.url)) ||
      (page.statusCode === 429 && /unusual traffic from your computer network/i.test(head)),
  },
];

/**
 * Names the anti-bot service whose challenge page this is, or returns `undefined` for an
 * ordinary page.
 *
 * @example
 * detectChallengePage({ url, statusCode: 403, headers: { 'cf-mitigated': 'challenge' } });
 * // 'Cloudflare'
 */
export function detectChallengePage(page: LoadedPageFacts): string | undefined {
  const head = (page.body ?? '').slice(0, CHALLENGE_SCAN_CHARS);
  return RULES.find((rule) => rule.matches(page, head))?.service;
}

function header(page: LoadedPageFacts, name: string): string | undefined {
  const value = page.headers?.[name];
  return (Array.isArray(value) ? value[0] : value)?.toLowerCase();
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}
