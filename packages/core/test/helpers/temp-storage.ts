/**
 * Fresh storage for one test: a temporary folder under the system temp dir with a configuration
 * pointing at it, or a memory-only configuration. Nothing reads or writes `./storage`.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { Configuration } from '../../src/configuration.js';
import { MemoryStorageClient } from '../../src/storages/memory/memory-storage-client.js';

/** A temporary storage folder and a configuration using it. */
export interface TempStorage {
  /** The storage folder. */
  dir: string;
  /** A configuration with `localDataDirectory: dir` and `purgeOnStart: false`. */
  config: Configuration;
  /** Closes the storage client and deletes the folder. */
  cleanup: () => Promise<void>;
}

/** Makes a temporary storage folder and a filesystem configuration for it. */
export function createTempStorage(prefix = 'trawl-storage-'): TempStorage {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = new Configuration({
    storageClientOptions: { localDataDirectory: dir },
    purgeOnStart: false,
  });
  const cleanup = async (): Promise<void> => {
    await config.getStorageClient().teardown();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, config, cleanup };
}

/** A configuration whose storages live in memory only. */
export function createMemoryConfig(): Configuration {
  return new Configuration({ storageClient: new MemoryStorageClient(), purgeOnStart: false });
}

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Where the child-process scripts live. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** This process's environment less its `CRAWLEE_*` variables, so a child uses only its options. */
export function envWithoutCrawleeVariables(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CRAWLEE_')),
  );
}

/**
 * Runs a TypeScript script in a separate Node process (through tsx) and resolves with its
 * stdout; rejects with its stderr when it exits with an error.
 */
export function runScript(
  script: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const argv = ['--import', TSX_LOADER, join(FIXTURES_DIR, script), ...args];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      argv,
      { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? envWithoutCrawleeVariables() },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`${script} failed: ${stderr || error.message}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}
