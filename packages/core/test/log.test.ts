import { describe, expect, test } from 'vitest';

import { Log, LogLevel, parseLogLevel } from '../src/log.js';

function capture(level = LogLevel.INFO): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const log = new Log({ level, writer: (line) => lines.push(line) });
  return { log, lines };
}

describe('log', () => {
  test('prints Crawlee-style lines with the level, prefix, message and fields', () => {
    const { log, lines } = capture();
    const child = log.child({ prefix: 'CheerioCrawler' });

    child.info('Starting the crawl', { requests: 3 });
    child.warning('Retrying');

    expect(lines).toEqual([
      'INFO  CheerioCrawler: Starting the crawl {"requests":3}',
      'WARN  CheerioCrawler: Retrying',
    ]);
  });

  test('joins nested prefixes with a colon', () => {
    const { log, lines } = capture();

    log.child({ prefix: 'CheerioCrawler' }).child({ prefix: 'AutoscaledPool' }).info('Scaled');

    expect(lines).toEqual(['INFO  CheerioCrawler:AutoscaledPool: Scaled']);
  });

  test('drops lines above the level, and setLevel on the root reaches children', () => {
    const { log, lines } = capture();
    const child = log.child({ prefix: 'X' });

    child.debug('hidden');
    log.setLevel(log.LEVELS.DEBUG);
    child.debug('shown');

    expect(lines).toEqual(['DEBUG X: shown']);
    expect(child.getLevel()).toBe(LogLevel.DEBUG);
  });

  test('OFF silences everything, errors included', () => {
    const { log, lines } = capture(LogLevel.OFF);

    log.error('nothing');

    expect(lines).toEqual([]);
  });

  test('warningOnce prints a message once per root logger', () => {
    const { log, lines } = capture();

    log.warningOnce('Deprecated option');
    log.child({ prefix: 'A' }).warningOnce('Deprecated option');

    expect(lines).toEqual(['WARN  Deprecated option']);
  });

  test('exception prints the message at error level and the stack only with debug on', () => {
    const { log, lines } = capture();

    log.exception(new Error('boom'), 'Handler failed');
    log.setLevel(LogLevel.DEBUG);
    log.exception(new Error('bang'), 'Handler failed');

    expect(lines[0]).toBe('ERROR Handler failed: boom');
    expect(lines[1]).toBe('ERROR Handler failed: bang');
    expect(lines[2]).toMatch(/^DEBUG Error: bang\n\s+at /);
  });

  test('fields holding errors print their name and message', () => {
    const { log, lines } = capture();

    log.info('Failed', { error: new TypeError('bad') });

    expect(lines).toEqual(['INFO  Failed {"error":{"name":"TypeError","message":"bad"}}']);
  });

  test('parses level names and numbers as CRAWLEE_LOG_LEVEL does', () => {
    expect(parseLogLevel('debug')).toBe(LogLevel.DEBUG);
    expect(parseLogLevel('WARN')).toBe(LogLevel.WARNING);
    expect(parseLogLevel('WARNING')).toBe(LogLevel.WARNING);
    expect(parseLogLevel('1')).toBe(LogLevel.ERROR);
    expect(parseLogLevel(6)).toBe(LogLevel.PERF);
    expect(parseLogLevel('loud')).toBeUndefined();
    expect(parseLogLevel('9')).toBeUndefined();
  });
});
