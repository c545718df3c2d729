/**
 * Crash-safe file operations for the filesystem storages: a write lands whole or not at all, a
 * folder is removed by renaming it out of the way first, and no storage path leaves its folder.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { link, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

import { InputError } from '../../errors.js';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** Flush the data to the disk before the rename, so it survives a power loss. @default false */
  fsync?: boolean;
  /**
   * Fail with an `EEXIST` error instead of replacing an existing file, so two processes cannot
   * write the same file. @default false
   */
  exclusive?: boolean;
}

const TEMP_SUFFIX = '.trawl-tmp';
const PURGED_PREFIX = '__TRAWL_PURGED_';
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
let tempCounter = 0;

/** Whether a file name is one of the temporary files {@link writeFileAtomic} writes. */
export function isTempFileName(fileName: string): boolean {
  return fileName.endsWith(TEMP_SUFFIX);
}

/**
 * Writes a file atomically: the data goes to a temporary file in the same folder, which is then
 * renamed over the target, so readers (and a restart after a crash) see the old file or the new
 * one, never half of it.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const tempPath = tempPathFor(path);
  try {
    await writeAndClose(tempPath, data, options.fsync ?? false);
    if (options.exclusive) {
      await linkExclusive(tempPath, path);
    } else {
      await rename(tempPath, path);
    }
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}

/**
 * {@link writeFileAtomic} done synchronously, for small files written on a hot path: each
 * asynchronous file operation is a round trip through libuv's thread pool, which on small
 * virtual machines costs several times the write itself.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  const tempPath = tempPathFor(path);
  try {
    writeNewFileSync(tempPath, data, options.fsync ?? false);
    if (options.exclusive) {
      linkExclusiveSync(tempPath, path);
    } else {
      renameSync(tempPath, path);
    }
  } catch (error) {
    rmSync(tempPath, { force: true });
    throw error;
  }
}

function tempPathFor(path: string): string {
  tempCounter += 1;
  const unique = `${process.pid}-${tempCounter}-${randomBytes(4).toString('hex')}`;
  // Not derived from the target's name, which may already be as long as a file name can be.
  return join(dirname(path), `.${unique}${TEMP_SUFFIX}`);
}

function linkExclusiveSync(tempPath: string, path: string): void {
  try {
    linkSync(tempPath, path);
  } catch (error) {
    if (!LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) {
      throw error;
    }
    renameSync(tempPath, path);
    return;
  }
  unlinkSync(tempPath);
}

/**
 * Creates `path`, failing with `EEXIST` when it exists, and writes `data` to it synchronously.
 */
export function writeNewFileSync(path: string, data: string | Uint8Array, fsync = false): void {
  const fd = openSync(path, 'wx');
  try {
    writeFileSync(fd, data);
    if (fsync) {
      fsyncSync(fd);
    }
  } finally {
    closeSync(fd);
  }
}

// A hard link fails when the target exists, where a rename would silently replace it. On a
// filesystem without hard links the rename is the fallback, and exclusivity is lost.
async function linkExclusive(tempPath: string, path: string): Promise<void> {
  try {
    await link(tempPath, path);
  } catch (error) {
    if (!LINK_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) {
      throw error;
    }
    await rename(tempPath, path);
    return;
  }
  await unlink(tempPath);
}

async function writeAndClose(path: string, data: string | Uint8Array, fsync: boolean) {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    if (fsync) {
      await handle.sync();
    }
  } finally {
    await handle.close();
  }
}

/**
 * Removes a folder and everything in it. The folder is first renamed to a hidden name beside it,
 * so a crash half-way leaves no half-emptied storage behind, only a leftover that the next
 * removal in the same parent deletes.
 */
export async function removeDirectory(path: string): Promise<void> {
  const parent = dirname(path);
  const doomed = join(parent, `${PURGED_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);

  try {
    await rename(path, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  await removeLeftovers(parent);
}

async function removeLeftovers(parent: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return;
  }
  const leftovers = names.filter((name) => name.startsWith(PURGED_PREFIX));
  await Promise.all(
    leftovers.map((name) => rm(join(parent, name), { recursive: true, force: true })),
  );
}

/**
 * Resolves `child` inside `parent`.
 * @throws InputError unless the result is a direct entry of `parent` (no `..`, no separator)
 */
export function resolveWithinDirectory(parent: string, child: string, what: string): string {
  const root = resolve(parent);
  const path = resolve(root, child);
  const rel = relative(root, path);

  if (rel === '' || rel === '..' || rel.includes(sep) || rel.includes('/') || isAbsolute(rel)) {
    throw new InputError(
      `Invalid ${what} "${child}": it must name an entry inside ${root}, without ".." or "/"`,
      { code: 'TRAWL_PATH_OUTSIDE_STORAGE' },
    );
  }
  return path;
}

/** Whether an error is Node's "no such file or directory". */
export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
