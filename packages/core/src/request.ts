import { hash } from 'node:crypto';
import { inspect } from 'node:util';

import type { Dictionary } from './utils/types.js';
import { normalizeParsedUrl, normalizeUrl } from './utils/url.js';
import {
  INTERNALS_KEY,
  MAX_ERROR_MESSAGES,
  MAX_ERROR_MESSAGE_LENGTH,
  isObject,
  INTERNAL_OPTIONS,
  validateOptions,
  assertPayloadAllowed,
  RequestState,
  type AllowedHttpMethods,
  type RequestEnqueueStrategy,
  type RequestInternals,
  type RequestOptions,
  type PushErrorMessageOptions,
  type ComputeUniqueKeyOptions,
  type SerializedBuffer,
  type RequestJSON,
  type Source,
} from './request-options.js';

export {
  RequestState,
  type AllowedHttpMethods,
  type RequestEnqueueStrategy,
  type RequestInternals,
  type RequestOptions,
  type PushErrorMessageOptions,
  type ComputeUniqueKeyOptions,
  type SerializedBuffer,
  type RequestJSON,
  type Source,
  type RequestsLike,
} from './request-options.js';

/**
 * A URL to crawl, with its method, headers, payload and your own `userData`, plus what the
 * crawler records about it: retries, error messages and when it was handled. Two requests with
 * the same {@link Request.uniqueKey} are the same page to a request queue.
 *
 * @example
 * const request = new Request({
 *   url: 'https://shop.example/products?page=2',
 *   label: 'LIST',
 *   userData: { category: 'shoes' },
 * });
 * request.uniqueKey; // 'https://shop.example/products?page=2'
 * request.label; // 'LIST', also request.userData.label
 */
export class Request<UserData extends Dictionary = Dictionary> {
  /** Storage id, set by the queue that stores the request; see {@link getRequestId}. */
  id?: string;

  /** The URL to crawl, trimmed. */
  url: string;

  /** URL finally loaded, after HTTP (and, in browsers, some client-side) redirects. */
  loadedUrl?: string;

  /** Identity used to deduplicate requests; by default the normalised URL. */
  uniqueKey: string;

  /** HTTP method, upper-case. */
  method: AllowedHttpMethods;

  /** Request body, for methods other than GET and HEAD. */
  payload?: string | Buffer;

  /** When `true`, the first error fails the request without a retry. */
  noRetry: boolean;

  /** Retries made so far after errors. */
  retryCount: number;

  /** Messages of the errors met so far, oldest first; see {@link Request.pushErrorMessage}. */
  errorMessages: string[];

  /** HTTP headers to send, by name. */
  headers: Record<string, string>;

  /**
   * Data of your own that travels with the request through retries and storage. Assigning a new
   * object copies it and keeps the internal `__crawlee` bag, which stays non-enumerable so it
   * never shows up in `Object.keys(request.userData)`.
   */
  declare userData: UserData;

  /** When the request was handled, as an ISO date string; absent until then. */
  handledAt?: string;

  #userData: UserData;

  // One descriptor for every request: closures made per request cost more than the rest of
  // the constructor.
  static #userDataProperty: PropertyDescriptor = {
    enumerable: true,
    get(this: Request) {
      return this.#userData;
    },
    set(this: Request, value: Dictionary) {
      this.#userData = withInternals({ ...value }, this.#internals());
    },
  };

  /**
   * Creates a request from its options.
   *
   * @throws InvalidUrlError when `url` is not an absolute http or https URL.
   * @throws ConfigurationError when an option is unknown or has a value of the wrong type.
   * @throws InputError when a GET or HEAD request has a payload.
   */
  constructor(options: RequestOptions<UserData>) {
    const parsed = validateOptions(options);
    const url = options.url.trim();
    const method = (options.method?.toUpperCase() ?? 'GET') as AllowedHttpMethods;
    assertPayloadAllowed(url, method, options.payload);

    this.id = options.id;
    this.url = url;
    this.loadedUrl = options.loadedUrl;
    // An empty unique key counts as none, as in Crawlee.
    this.uniqueKey = options.uniqueKey || computeDefaultUniqueKey(parsed, method, options);
    this.method = method;
    this.payload = toBuffer(options.payload);
    this.noRetry = options.noRetry ?? false;
    this.retryCount = options.retryCount ?? 0;
    this.errorMessages = [...(options.errorMessages ?? [])];
    this.headers = { ...options.headers };
    this.handledAt = toIsoString(options.handledAt);

    this.#userData = copyUserData(options, readStoredInternals(options.userData));
    Object.defineProperty(this, 'userData', Request.#userDataProperty);

    this.#applyInternalOptions(options);
  }

  /** Route name a router dispatches on; reads and writes `userData.label`. */
  get label(): string | undefined {
    return (this.#userData as Dictionary).label;
  }

  set label(value: string | undefined) {
    if (value === undefined) {
      delete (this.#userData as Dictionary).label;
    } else {
      (this.#userData as Dictionary).label = value;
    }
  }

  /** When `true`, the crawler runs the request handler without navigating to the URL. */
  get skipNavigation(): boolean {
    return this.#internals().skipNavigation ?? false;
  }

  set skipNavigation(value: boolean) {
    this.#setInternal('skipNavigation', value);
  }

  /** Links followed from a start request to reach this one; 0 for start requests. */
  get crawlDepth(): number {
    return this.#internals().crawlDepth ?? 0;
  }

  set crawlDepth(value: number) {
    this.#setInternal('crawlDepth', value);
  }

  /** Sessions retired so far because of session or proxy errors on this request. */
  get sessionRotationCount(): number {
    return this.#internals().sessionRotationCount ?? 0;
  }

  set sessionRotationCount(value: number) {
    this.#setInternal('sessionRotationCount', value);
  }

  /** Retries allowed for this request; `undefined` means the crawler's `maxRequestRetries`. */
  get maxRetries(): number | undefined {
    return this.#internals().maxRetries;
  }

  set maxRetries(value: number | undefined) {
    this.#setInternal('maxRetries', value);
  }

  /** Where the request is in the crawler's lifecycle. */
  get state(): RequestState {
    return this.#internals().state ?? RequestState.UNPROCESSED;
  }

  set state(value: RequestState) {
    this.#setInternal('state', value);
  }

  /** Strategy of the `enqueueLinks()` call that created the request, if one did. */
  get enqueueStrategy(): RequestEnqueueStrategy | undefined {
    return this.#internals().enqueueStrategy;
  }

  set enqueueStrategy(value: RequestEnqueueStrategy | undefined) {
    this.#setInternal('enqueueStrategy', value);
  }

  /** Internal hint that the request was added to the front of its queue. */
  get forefront(): boolean | undefined {
    return this.#internals().forefront;
  }

  set forefront(value: boolean | undefined) {
    this.#setInternal('forefront', value);
  }

  /**
   * Records an error met while processing the request. Error objects are stored as their stack
   * trace (which begins with the message), or only their message with `omitStack`; strings as
   * given; other objects as JSON.
   *
   * Unlike Crawlee, which keeps every full stack, trawl keeps only the last 10 messages and cuts
   * each to 2,000 characters, so a request that fails many times stays small in storage.
   */
  pushErrorMessage(errorOrMessage: unknown, options: PushErrorMessageOptions = {}): void {
    const message = errorToMessage(errorOrMessage, options.omitStack ?? false);
    this.errorMessages.push(truncate(message, MAX_ERROR_MESSAGE_LENGTH));

    const excess = this.errorMessages.length - MAX_ERROR_MESSAGES;
    if (excess > 0) {
      this.errorMessages.splice(0, excess);
    }
  }

  /**
   * Returns the request as a plain object that {@link Request.fromJSON} restores exactly. Absent
   * fields are left out, a Buffer payload takes its JSON form, and `userData.__crawlee` is
   * included only when an internal field is set.
   */
  toJSON(): RequestJSON<UserData> {
    // Absent fields are never added (deleting them would slow down every later use of the
    // object); the order of the fields stays the same.
    const json = {} as RequestJSON<UserData>;
    if (this.id !== undefined) {
      json.id = this.id;
    }
    json.url = this.url;
    if (this.loadedUrl !== undefined) {
      json.loadedUrl = this.loadedUrl;
    }
    json.uniqueKey = this.uniqueKey;
    json.method = this.method;
    if (this.payload !== undefined) {
      json.payload = Buffer.isBuffer(this.payload) ? this.payload.toJSON() : this.payload;
    }
    json.noRetry = this.noRetry;
    json.retryCount = this.retryCount;
    json.errorMessages = [...this.errorMessages];
    json.headers = { ...this.headers };
    json.userData = this.#userDataJSON();
    if (this.handledAt !== undefined) {
      json.handledAt = this.handledAt;
    }
    return json;
  }

  /**
   * Restores a request from the object {@link Request.toJSON} returned, or from that object
   * after a trip through `JSON.stringify` and `JSON.parse`.
   *
   * @throws The errors of the {@link Request} constructor when `json` is not a valid request.
   */
  static fromJSON<U extends Dictionary = Dictionary>(json: RequestJSON<U>): Request<U> {
    // The constructor copies what it keeps, so only a Buffer payload needs a copy of the object.
    const options = isSerializedBuffer(json.payload)
      ? { ...json, payload: Buffer.from(json.payload.data) }
      : (json as RequestOptions<U>);
    return new Request<U>(options);
  }

  /**
   * Computes the unique key a request gets when none is given: the URL normalised by
   * {@link normalizeUrl} (or the URL as given when it cannot be parsed). With
   * `useExtendedUniqueKey`, the key becomes `METHOD(hash):url`, where `hash` is the first 8
   * characters of the base64 SHA-256 of the payload without `+`, `/` and `=`, and is empty when
   * there is no payload, exactly as Crawlee computes it.
   *
   * @example
   * Request.computeUniqueKey({ url: 'HTTP://www.EXAMPLE.com/something/' });
   * // 'http://www.example.com/something'
   */
  static computeUniqueKey(options: ComputeUniqueKeyOptions): string {
    const { url, method = 'GET', payload, keepUrlFragment = false } = options;
    const normalizedUrl = normalizeUrl(url, keepUrlFragment) ?? url;
    return options.useExtendedUniqueKey
      ? extendedUniqueKey(method, payload, normalizedUrl)
      : normalizedUrl;
  }

  #internals(): RequestInternals {
    const internals = (this.#userData as Dictionary)[INTERNALS_KEY];
    if (isObject(internals)) {
      return internals;
    }

    // Only a caller overwriting userData.__crawlee gets here; start a fresh bag.
    const fresh: RequestInternals = {};
    (this.#userData as Dictionary)[INTERNALS_KEY] = fresh;
    return fresh;
  }

  #setInternal<K extends keyof RequestInternals>(key: K, value: RequestInternals[K]): void {
    const internals = this.#internals();
    if (value === undefined) {
      delete internals[key];
    } else {
      internals[key] = value;
    }
  }

  #applyInternalOptions(options: RequestOptions<UserData>): void {
    // Options win over a stored userData.__crawlee, so a restored request can be adjusted.
    const internals = this.#internals();
    for (const key of INTERNAL_OPTIONS) {
      if (options[key] !== undefined) {
        (internals as Dictionary)[key] = options[key];
      }
    }
  }

  #userDataJSON(): UserData & { __crawlee?: RequestInternals } {
    const internals = this.#internals();
    const userData: Dictionary = { ...this.#userData };
    if (Object.keys(internals).length > 0) {
      userData[INTERNALS_KEY] = { ...internals };
    }
    return userData as UserData & { __crawlee?: RequestInternals };
  }
}

/**
 * Derives the storage id of a request from its unique key: the base64 SHA-256 of the key without
 * `+`, `/` and `=`, cut to 15 characters. Crawlee's local storage derives ids the same way.
 */
export function getRequestId(uniqueKey: string): string {
  return shortHash(uniqueKey, 15);
}

/**
 * Turns a source into a {@link Request}: a request is returned as it is, a string is used as the
 * URL, and an options object is passed to the constructor.
 *
 * @throws The errors of the {@link Request} constructor.
 */
export function toRequest(source: Source | string): Request {
  if (source instanceof Request) {
    return source;
  }
  return new Request(typeof source === 'string' ? { url: source } : source);
}

// Request.computeUniqueKey's rule on the URL the constructor already parsed.
function computeDefaultUniqueKey(url: URL, method: string, options: RequestOptions): string {
  const { payload, keepUrlFragment = false, useExtendedUniqueKey } = options;
  const normalizedUrl = normalizeParsedUrl(url, keepUrlFragment);
  return useExtendedUniqueKey ? extendedUniqueKey(method, payload, normalizedUrl) : normalizedUrl;
}

function extendedUniqueKey(
  method: string,
  payload: string | Uint8Array | undefined,
  normalizedUrl: string,
): string {
  const payloadHash = payload === undefined || payload.length === 0 ? '' : shortHash(payload, 8);
  return `${method.toUpperCase()}(${payloadHash}):${normalizedUrl}`;
}

function isSerializedBuffer(value: unknown): value is SerializedBuffer {
  return isObject(value) && (value as SerializedBuffer).type === 'Buffer';
}

function toBuffer(payload?: string | Uint8Array): string | Buffer | undefined {
  if (payload instanceof Uint8Array && !Buffer.isBuffer(payload)) {
    return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  return payload;
}

function toIsoString(date?: string | Date): string | undefined {
  return date instanceof Date ? date.toISOString() : date;
}

/** Reads the internal bag of a stored request, where JSON made it an ordinary enumerable key. */
function readStoredInternals(userData?: Dictionary): RequestInternals {
  // Another live request's userData hides its bag; a new request must not inherit that
  // lifecycle (state, depth, retries), so only an enumerable, stored bag is read.
  if (
    userData === undefined ||
    !Object.prototype.propertyIsEnumerable.call(userData, INTERNALS_KEY)
  ) {
    return {};
  }
  const stored: unknown = userData[INTERNALS_KEY];
  return isObject(stored) ? { ...(stored as RequestInternals) } : {};
}

function copyUserData<U extends Dictionary>(
  options: RequestOptions<U>,
  internals: RequestInternals,
): U {
  const userData: Dictionary = { ...options.userData };
  if (options.label !== undefined) {
    userData.label = options.label;
  }
  return withInternals(userData as U, internals);
}

function withInternals<U extends Dictionary>(userData: U, internals: RequestInternals): U {
  Object.defineProperty(userData, INTERNALS_KEY, {
    value: internals,
    enumerable: false,
    writable: true,
    configurable: false,
  });
  return userData;
}

function errorToMessage(value: unknown, omitStack: boolean): string {
  if (value instanceof Error) {
    return omitStack ? value.message : (value.stack ?? value.message);
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    return stringifyObject(value);
  }
  return String(value);
}

function stringifyObject(value: object): string {
  try {
    return JSON.stringify(value) ?? inspect(value);
  } catch {
    // Circular structures and BigInt values cannot be written as JSON.
    return inspect(value);
  }
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

function shortHash(data: string | Uint8Array, length: number): string {
  return hash('sha256', data, 'base64').replace(/[+/=]/g, '').slice(0, length);
}
