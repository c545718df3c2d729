/**
 * Cheaper got-scraping calls, for the HTTP clients of trawl (navigations and `sendRequest`). A
 * plain got-scraping call merges its options into got's defaults and validates got-scraping's own
 * options with `ow`, which takes a stack trace on every call; and got spreads `cacheOptions` into
 * every native request, which V8 builds slowly while it has keys. Defaults made once without that
 * validation hook and with empty cache options send exactly the same request for less CPU; calls
 * whose options {@link isCheaplyValid} refuses go the ordinary way, errors included.
 */
import { gotScraping, hooks as gotScrapingHooks, Options, type OptionsInit } from 'got-scraping';

/**
 * got-scraping's defaults as they are now, with `shared` merged in, without the `ow` validation
 * hook and with empty cache options. Build them once; pass them as the third argument of `new
 * Options(url, options, defaults)` for each call whose options pass {@link isCheaplyValid}.
 */
export function cheapGotScrapingDefaults(shared: OptionsInit): Options {
  const defaults = new Options(undefined, shared, gotScraping.defaults.options);
  const init = defaults.hooks.init.filter(
    (hook) => hook !== gotScrapingHooks.optionsValidationHandler,
  );
  defaults.hooks = { ...defaults.hooks, init };
  defaults.cacheOptions = {};
  return defaults;
}

/**
 * Whether options may go with {@link cheapGotScrapingDefaults}: got-scraping's own options hold
 * values its validation accepts, and no cache is set (its options were emptied).
 */
export function isCheaplyValid(options: Record<string, unknown>): boolean {
  const { proxyUrl, useHeaderGenerator, insecureHTTPParser } = options;
  return (
    (proxyUrl === undefined || (typeof proxyUrl === 'string' && URL.canParse(proxyUrl))) &&
    (useHeaderGenerator === undefined || typeof useHeaderGenerator === 'boolean') &&
    (insecureHTTPParser === undefined || typeof insecureHTTPParser === 'boolean') &&
    isObjectOrUndefined(options.headerGeneratorOptions) &&
    isObjectOrUndefined(options.sessionToken) &&
    options.cache === undefined &&
    options.cacheOptions === undefined
  );
}

/** The rule of `ow.object`: an object or a function, not `null`. */
function isObjectOrUndefined(value: unknown): boolean {
  return (
    value === undefined ||
    typeof value === 'function' ||
    (typeof value === 'object' && value !== null)
  );
}
