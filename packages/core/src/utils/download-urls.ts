import { InputError } from '../errors.js';
import { parseHttpUrl } from './url.js';

/**
 * Matches http and https URLs in text, stopping at whitespace, quotes, angle brackets and commas
 * (so comma-separated lists split into URLs).
 */
export const URL_NO_COMMAS_REGEX = /https?:\/\/[^\s"'<>,]+/gi;

/** Like {@link URL_NO_COMMAS_REGEX}, but commas may be part of a URL. */
export const URL_WITH_COMMAS_REGEX = /https?:\/\/[^\s"'<>]+/gi;

/** Finds every URL in `string` that `urlRegExp` matches, in order. */
export function extractUrls(options: { string: string; urlRegExp?: RegExp }): string[] {
  const pattern = options.urlRegExp ?? URL_NO_COMMAS_REGEX;
  const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
  return [...options.string.matchAll(global)].map((match) => match[0]);
}

/** Options of {@link downloadListOfUrls}. */
export interface DownloadListOfUrlsOptions {
  /** URL of a text file (or page) that lists URLs. */
  url: string;
  /** Which URLs to take from the text. @default URL_NO_COMMAS_REGEX */
  urlRegExp?: RegExp;
  /** Text encoding of the file. @default 'utf8' */
  encoding?: BufferEncoding;
  /** Proxy to download through. Not supported yet: passing one throws. */
  proxyUrl?: string;
}

/**
 * Downloads a list of URLs from `url` and returns the URLs found in it. Google Sheets share links
 * are rewritten to their CSV export, as in Crawlee.
 * @throws InputError when the download fails or answers with an error status
 */
export async function downloadListOfUrls(options: DownloadListOfUrlsOptions): Promise<string[]> {
  if (options.proxyUrl !== undefined) {
    throw new InputError(
      'downloadListOfUrls does not support proxyUrl yet; ' +
        'download the list yourself and pass sources',
    );
  }
  const url = rewriteGoogleSheetsUrl(parseHttpUrl(options.url).href);
  let text: string;
  try {
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`status ${response.status}`);
    }
    text = Buffer.from(await response.arrayBuffer()).toString(options.encoding ?? 'utf8');
  } catch (error) {
    throw new InputError(
      `Could not download the list of URLs from ${url} (${(error as Error).message}); ` +
        'check that the URL is reachable',
      { cause: error, code: 'TRAWL_URL_LIST_DOWNLOAD' },
    );
  }
  return extractUrls({ string: text, urlRegExp: options.urlRegExp });
}

function rewriteGoogleSheetsUrl(url: string): string {
  const match = /^https:\/\/docs\.google\.com\/spreadsheets\/d\/([^/]+)/.exec(url);
  return match ? `https://docs.google.com/spreadsheets/d/${match[1]}/gviz/tq?tqx=out:csv` : url;
}
