/** Shared setup of the HTTP crawler tests: fresh in-memory storage and a silent logger. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Configuration, Log, LogLevel, type LogWriter } from '@trawl/core';

/** Storage in memory only, nothing purged: each test gets its own. */
export const memoryConfig = (): Configuration =>
  new Configuration({ persistStorage: false, purgeOnStart: false });

/** A logger that prints nothing. */
export const quietLog = (): Log => new Log({ level: LogLevel.OFF });

/** A logger that keeps its lines, for tests that assert on them. */
export function recordingLog(level = LogLevel.DEBUG): { log: Log; lines: string[] } {
  const lines: string[] = [];
  const writer: LogWriter = (line) => void lines.push(line);
  return { log: new Log({ level, writer }), lines };
}

/** Answers with `body` bytes and the given content type. */
export function sendBytes(res: ServerResponse, body: Buffer, contentType: string): void {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
  res.end(body);
}

/**
 * A throw-away self-signed certificate for 127.0.0.1, valid one day. Without `coversIp` it names
 * the address only in its subject, which clients that check the host do not accept.
 */
export async function selfSignedCertificate({ coversIp = true } = {}): Promise<{
  key: Buffer;
  cert: Buffer;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'trawl-tls-'));
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      ...(coversIp ? ['-addext', 'subjectAltName=IP:127.0.0.1'] : []),
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    const [key, cert] = await Promise.all([
      readFile(join(dir, 'key.pem')),
      readFile(join(dir, 'cert.pem')),
    ]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A request that failed for good, as `failedRequestHandler` saw it. */
export interface Failure {
  url: string;
  retryCount: number;
  error: Error;
}

/** Collects failures through `failedRequestHandler`. */
export function failureRecorder(): {
  failures: Failure[];
  failedRequestHandler: (
    context: { request: { url: string; retryCount: number } },
    error: Error,
  ) => void;
} {
  const failures: Failure[] = [];
  return {
    failures,
    failedRequestHandler: ({ request }, error) =>
      void failures.push({ url: request.url, retryCount: request.retryCount, error }),
  };
}
