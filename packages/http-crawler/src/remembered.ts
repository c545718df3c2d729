/**
 * `compute` remembered per key, for the first `maxKeys` keys: for values a crawl meets again and
 * again (the `Content-Type` of a site's pages, a session's `User-Agent`), while a stream of
 * distinct keys cannot grow the memory without bound. Results are shared: callers never change
 * them.
 */
export function remembered<V>(compute: (key: string) => V, maxKeys: number): (key: string) => V {
  const values = new Map<string, V>();
  return (key) => {
    if (values.has(key)) {
      return values.get(key) as V;
    }
    const value = compute(key);
    if (values.size < maxKeys) {
      values.set(key, value);
    }
    return value;
  };
}
