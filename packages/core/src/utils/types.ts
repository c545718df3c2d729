/**
 * A plain object with string keys, as used for `request.userData` and other user-owned bags of
 * values. The value type defaults to `any` so user data can be read without casts.
 */
export type Dictionary<T = any> = Record<string, T>;

/** A value, or a promise of it: what user callbacks may return. */
export type Awaitable<T> = T | PromiseLike<T>;
