/**
 * Every error trawl throws on purpose extends {@link TrawlError}: a stable `code`, the class name
 * as `name`, and the original error as `cause` when one was wrapped. Each class says what the
 * crawler does next. The full list with codes is in `docs/errors.md`.
 */

const TRAWL_ERROR = Symbol.for('trawl.error');

/** Options accepted by every trawl error. */
export interface TrawlErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
}

/** Base class of trawl's errors; `code` is stable and documented, never reused. */
export class TrawlError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: TrawlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, TRAWL_ERROR, { value: true });
  }
}

/**
 * Tells whether `error` is a trawl error, optionally with the given code. Works across two
 * installed copies of trawl, where `instanceof` would not.
 */
export function isTrawlError(error: unknown, code?: string): error is TrawlError {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const marked = (error as Record<symbol, unknown>)[TRAWL_ERROR] === true;
  return marked && (code === undefined || (error as TrawlError).code === code);
}

/** Fails the request at once: no retry, the failed-request handler runs. */
export class NonRetryableError extends TrawlError {
  constructor(message: string, options: TrawlErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'TRAWL_NON_RETRYABLE', message, options);
  }
}

/** Stops the whole crawl: `crawler.run()` rejects with this error. */
export class CriticalError extends NonRetryableError {
  constructor(message: string, options: TrawlErrorOptions & { code?: string } = {}) {
    super(message, { ...options, code: options.code ?? 'TRAWL_CRITICAL' });
  }
}

/** Retries the request whatever its retry count; used where the failure was not the page's. */
export class RetryRequestError extends TrawlError {
  constructor(message?: string, options: TrawlErrorOptions & { code?: string } = {}) {
    super(
      options.code ?? 'TRAWL_RETRY_REQUEST',
      message ?? "Request is being retried at the user's request",
      options,
    );
  }
}

/**
 * Retires the session and retries the request on another one, without counting a retry (up to
 * the crawler's `maxSessionRotations`).
 */
export class SessionError extends RetryRequestError {
  constructor(message?: string, options: TrawlErrorOptions & { code?: string } = {}) {
    super(`Detected a session error, rotating session... ${message ?? ''}`.trim(), {
      ...options,
      code: options.code ?? 'TRAWL_SESSION',
    });
  }
}

/** An option or configuration value is invalid; the message names it and the fix. */
export class ConfigurationError extends TrawlError {
  /** The option at fault, when there is one. */
  readonly option?: string;

  constructor(message: string, options: TrawlErrorOptions & { option?: string } = {}) {
    super('TRAWL_CONFIGURATION', message, options);
    this.option = options.option;
  }
}

/** An input value (URL, key, name, item) is invalid; the message names it and the fix. */
export class InputError extends TrawlError {
  constructor(message: string, options: TrawlErrorOptions & { code?: string } = {}) {
    super(options.code ?? 'TRAWL_INPUT', message, options);
  }
}

/** A URL cannot be parsed, or its scheme is not http or https. */
export class InvalidUrlError extends InputError {
  /** The offending URL as given. */
  readonly url: string;

  constructor(url: string, reason: string) {
    super(`Invalid URL "${url}": ${reason}`, { code: 'TRAWL_INVALID_URL' });
    this.url = url;
  }
}

/** A storage could not be read or written; `path` names the file when there is one. */
export class StorageError extends TrawlError {
  /** The file or folder at fault. */
  readonly path?: string;

  constructor(message: string, options: TrawlErrorOptions & { path?: string; code?: string } = {}) {
    super(options.code ?? 'TRAWL_STORAGE', message, options);
    this.path = options.path;
  }
}

/** A storage file holds something that is not what trawl wrote (torn write, manual edit). */
export class CorruptStorageFileError extends StorageError {
  constructor(path: string, detail: string, options: TrawlErrorOptions = {}) {
    super(
      `Storage file ${path} is corrupt (${detail}); ` +
        'fix or delete the file, then open the storage again',
      { ...options, path, code: 'TRAWL_CORRUPT_STORAGE_FILE' },
    );
  }
}
