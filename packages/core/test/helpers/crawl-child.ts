/** Runs a crawl script in a child process with `node --import tsx`, for crash and signal tests. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** What the child printed and how it ended. */
export interface ChildResult {
  output: string;
  code: number | null;
}

/**
 * Runs `script` with `env` added to this process's environment. When the output first contains
 * `trigger.text`, the child gets `trigger.signal`; the promise resolves once the child exited.
 */
export function runCrawlChild(
  script: string,
  env: Record<string, string>,
  trigger?: { text: string; signal: NodeJS.Signals },
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let signalled = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (trigger && !signalled && output.includes(trigger.text)) {
        signalled = true;
        proc.kill(trigger.signal);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ output, code }));
  });
}
