/**
 * Request options: their types, the checks a new Request runs on them, and the constants they
 * rely on. The Request class itself is in `request.ts`.
 */
import { ConfigurationError, InputError } from './errors.js';
import type { Request } from './request.js';
import { assertKnownOptions, describeValue } from './utils/options.js';
import type { Dictionary } from './utils/types.js';
import { parseHttpUrl } from './utils/url.js';

export const ALLOWED_METHODS: ReadonlySet<string> = new Set(
  'GET HEAD POST PUT DELETE CONNECT OPTIONS TRACE PATCH'.split(' '),
);

/** HTTP methods a {@link Request} may use. */
export type AllowedHttpMethods =
  'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

/** Methods whose requests carry no body, so a payload on them is a mistake. */
export const BODYLESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** Key of the internal bag in `userData`; Crawlee's name, so stored requests stay compatible. */
export const INTERNALS_KEY = '__crawlee';

export const MAX_ERROR_MESSAGES = 10;
export const MAX_ERROR_MESSAGE_LENGTH = 2_000;

/** Where a request is in its lifecycle inside a crawler; kept in `userData.__crawlee.state`. */
export enum RequestState {
  UNPROCESSED,
  BEFORE_NAV,
  AFTER_NAV,
  REQUEST_HANDLER,
  DONE,
  ERROR_HANDLER,
  ERROR,
  SKIPPED,
}

/** How far `enqueueLinks()` followed links when it created a request. */
export type RequestEnqueueStrategy = 'all' | 'same-hostname' | 'same-domain' | 'same-origin';

export const ENQUEUE_STRATEGIES: ReadonlySet<string> = new Set(
  'all same-hostname same-domain same-origin'.split(' '),
);

/**
 * Fields trawl keeps for itself in the non-enumerable `userData.__crawlee` object. Read them
 * through the matching {@link Request} getters; unknown keys from stored requests are kept.
 */
export interface RequestInternals {
  /** See {@link Request.skipNavigation}. */
  skipNavigation?: boolean;
  /** See {@link Request.crawlDepth}. */
  crawlDepth?: number;
  /** See {@link Request.sessionRotationCount}. */
  sessionRotationCount?: number;
  /** See {@link Request.maxRetries}. */
  maxRetries?: number;
  /** See {@link Request.state}. */
  state?: RequestState;
  /** See {@link Request.enqueueStrategy}. */
  enqueueStrategy?: RequestEnqueueStrategy;
  /** See {@link Request.forefront}. */
  forefront?: boolean;
  [key: string]: unknown;
}

/** What `new Request()` accepts; only `url` is required. */
export interface RequestOptions<UserData extends Dictionary = Dictionary> {
  /** Absolute http or https URL to crawl; surrounding whitespace is trimmed. */
  url: string;
  /**
   * Identity used to deduplicate requests: two requests with the same unique key are one page.
   * When absent or empty it is computed from the URL, see {@link Request.computeUniqueKey}.
   */
  uniqueKey?: string;
  /** HTTP method, in any case. @default 'GET' */
  method?: AllowedHttpMethods | Lowercase<AllowedHttpMethods>;
  /** Request body; not allowed with GET or HEAD. */
  payload?: string | Buffer;
  /** HTTP headers to send, by name; the object is copied. */
  headers?: Record<string, string>;
  /** Data of your own that travels with the request through retries; the object is copied. */
  userData?: UserData;
  /** Shortcut for `userData.label`, the route name a router dispatches on. */
  label?: string;
  /** Fail the request on its first error instead of retrying it. @default false */
  noRetry?: boolean;
  /** Retries already made; set when a stored request is restored. @default 0 */
  retryCount?: number;
  /** Errors of earlier attempts; set when a stored request is restored. @default [] */
  errorMessages?: string[];
  /** When the request was handled, as an ISO date string or a `Date`. */
  handledAt?: string | Date;
  /** URL finally loaded after redirects; set when a stored request is restored. */
  loadedUrl?: string;
  /** Storage id; queues set it, see {@link getRequestId}. */
  id?: string;
  /** Keep the `#fragment` in the computed unique key. @default false */
  keepUrlFragment?: boolean;
  /** Include method and payload hash in the computed unique key. @default false */
  useExtendedUniqueKey?: boolean;
  /** Run the request handler without navigating to the URL. @default false */
  skipNavigation?: boolean;
  /** Links followed from a start request to reach this one. @default 0 */
  crawlDepth?: number;
  /** Retries allowed for this request, overriding the crawler's `maxRequestRetries`. */
  maxRetries?: number;
  /** Session rotations already made; set when a stored request is restored. @default 0 */
  sessionRotationCount?: number;
  /** Strategy of the `enqueueLinks()` call that created the request. */
  enqueueStrategy?: RequestEnqueueStrategy;
}

/** Options of {@link Request.pushErrorMessage}. */
export interface PushErrorMessageOptions {
  /** Store only the error's message, without its stack trace. @default false */
  omitStack?: boolean;
}

/** Inputs of {@link Request.computeUniqueKey}. */
export interface ComputeUniqueKeyOptions {
  /** The request URL. */
  url: string;
  /** HTTP method, in any case. @default 'GET' */
  method?: string;
  /** Request body, hashed into extended unique keys. */
  payload?: string | Buffer;
  /** Keep the `#fragment`. @default false */
  keepUrlFragment?: boolean;
  /** Prefix the key with method and payload hash. @default false */
  useExtendedUniqueKey?: boolean;
}

/** A Buffer as `JSON.stringify` writes it. */
export interface SerializedBuffer {
  /** Always `'Buffer'`. */
  type: 'Buffer';
  /** The bytes. */
  data: number[];
}

/** The plain-object form of a {@link Request}, as {@link Request.toJSON} returns it. */
export interface RequestJSON<UserData extends Dictionary = Dictionary> {
  /** See {@link Request.id}. */
  id?: string;
  /** See {@link Request.url}. */
  url: string;
  /** See {@link Request.loadedUrl}. */
  loadedUrl?: string;
  /** See {@link Request.uniqueKey}. */
  uniqueKey: string;
  /** See {@link Request.method}. */
  method: AllowedHttpMethods;
  /** See {@link Request.payload}; a Buffer payload is in its JSON form. */
  payload?: string | SerializedBuffer;
  /** See {@link Request.noRetry}. */
  noRetry: boolean;
  /** See {@link Request.retryCount}. */
  retryCount: number;
  /** See {@link Request.errorMessages}. */
  errorMessages: string[];
  /** See {@link Request.headers}. */
  headers: Record<string, string>;
  /** See {@link Request.userData}; holds `__crawlee` when any internal field is set. */
  userData: UserData & { __crawlee?: RequestInternals };
  /** See {@link Request.handledAt}. */
  handledAt?: string;
}

/** Anything that can be turned into a {@link Request}: its options, or a request itself. */
export type Source = RequestOptions | Request;

/** Requests to add, as sources or plain URLs, in a list or produced lazily. */
export type RequestsLike = Iterable<Source | string> | AsyncIterable<Source | string>;

export type OptionCheck = readonly [isValid: (value: unknown) => boolean, expected: string];

export const isString = (value: unknown): boolean => typeof value === 'string';
export const isBoolean = (value: unknown): boolean => typeof value === 'boolean';
export const isCount = (value: unknown): boolean =>
  Number.isSafeInteger(value) && (value as number) >= 0;
export const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const OPTION_CHECKS: Readonly<Record<Exclude<keyof RequestOptions, 'url'>, OptionCheck>> = {
  uniqueKey: [isString, 'a string'],
  method: [isMethod, `one of ${[...ALLOWED_METHODS].join(', ')}`],
  payload: [(value) => isString(value) || value instanceof Uint8Array, 'a string or a Buffer'],
  headers: [isObject, 'an object of header values by name'],
  userData: [isObject, 'a plain object'],
  label: [isString, 'a string'],
  noRetry: [isBoolean, 'true or false'],
  retryCount: [isCount, 'a non-negative integer'],
  errorMessages: [(value) => Array.isArray(value) && value.every(isString), 'an array of strings'],
  handledAt: [isDateLike, 'an ISO date string or a valid Date'],
  loadedUrl: [isString, 'a string'],
  id: [isString, 'a string'],
  keepUrlFragment: [isBoolean, 'true or false'],
  useExtendedUniqueKey: [isBoolean, 'true or false'],
  skipNavigation: [isBoolean, 'true or false'],
  crawlDepth: [isCount, 'a non-negative integer'],
  maxRetries: [isCount, 'a non-negative integer'],
  sessionRotationCount: [isCount, 'a non-negative integer'],
  enqueueStrategy: [
    (value) => ENQUEUE_STRATEGIES.has(value as string),
    `one of ${[...ENQUEUE_STRATEGIES].join(', ')}`,
  ],
};

export const OPTION_NAMES: ReadonlySet<string> = new Set(['url', ...Object.keys(OPTION_CHECKS)]);

/** Options stored in `userData.__crawlee` rather than as fields. */
export const INTERNAL_OPTIONS = [
  'skipNavigation',
  'crawlDepth',
  'maxRetries',
  'sessionRotationCount',
  'enqueueStrategy',
] as const satisfies readonly (keyof RequestOptions & keyof RequestInternals)[];

export function validateOptions(options: RequestOptions): URL {
  if (!isObject(options)) {
    throw new ConfigurationError(
      `Request options must be an object with a url, got ${describeValue(options)}`,
    );
  }
  // One pass over the options given: requests are made for every link a crawl finds.
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.has(name)) {
      assertKnownOptions(options, OPTION_NAMES, 'Request');
    }
    const value = (options as unknown as Record<string, unknown>)[name];
    const check = OPTION_CHECKS[name as keyof typeof OPTION_CHECKS];
    if (check !== undefined && value !== undefined && !check[0](value)) {
      throw new ConfigurationError(
        `Request option "${name}" must be ${check[1]}, got ${describeValue(value)}`,
        { option: name },
      );
    }
  }

  return parseHttpUrl(options.url);
}

export function assertPayloadAllowed(
  url: string,
  method: string,
  payload?: string | Uint8Array,
): void {
  if (BODYLESS_METHODS.has(method) && payload !== undefined && payload.length > 0) {
    throw new InputError(
      `Request ${method} ${url} has a payload, which ${method} cannot send; ` +
        'use POST or PUT, or drop the payload',
    );
  }
}

export function isMethod(value: unknown): boolean {
  return typeof value === 'string' && ALLOWED_METHODS.has(value.toUpperCase());
}

export function isDateLike(value: unknown): boolean {
  if (value instanceof Date) {
    return !Number.isNaN(value.getTime());
  }
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
