/**
 * A dataset as a folder of JSON files in Crawlee's layout: `datasets/<name>/000000001.json`, one
 * item per file, numbered from 1, indented with tabs. Folders written by Crawlee open as they are.
 */

import { existsSync } from 'node:fs';
import { access, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { CorruptStorageFileError, StorageError } from '../../errors.js';
import { parseJsonFile } from '../content-type.js';
import type {
  DatasetClient,
  DatasetClientListOptions,
  DatasetInfo,
  PaginatedList,
} from '../storage-client.js';
import {
  isNotFound,
  removeDirectory,
  resolveWithinDirectory,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-write.js';
import { createNewFile } from './file-creator.js';

/** Options of {@link FilesystemDatasetClient.open}. */
export interface FilesystemDatasetClientOptions {
  /** The dataset's name, which is also its folder's name. */
  name: string;
  /** The storage folder holding `datasets/`. */
  storageDir: string;
  /** Called once the dataset has been deleted. */
  onDelete?: () => void;
}

type Item = Record<string, unknown>;

const ITEM_FILE_PATTERN = /^(\d{9})\.json$/;
const READ_CONCURRENCY = 64;
/** How often a reserved push looks for items other processes appended (a file check each). */
const CATCH_UP_INTERVAL_MILLIS = 1_000;

/** The file name of the item with this 1-based index: `000000042.json`. */
export function datasetItemFileName(index: number): string {
  return `${String(index).padStart(9, '0')}.json`;
}

/**
 * Reads and writes one dataset folder. Writes are serialised, each item is written atomically,
 * and an item file another process wrote is counted instead of overwritten.
 */
export class FilesystemDatasetClient implements DatasetClient {
  /** The dataset's name. */
  readonly name: string;
  /** The dataset's folder. */
  readonly path: string;
  // File indexes by position, kept only when the files are not exactly 1..count (gaps on disk).
  #indexes: number[] | undefined;
  #count = 0;
  #caughtUpAt = 0;
  /** Settles once every reserved range so far has been counted. */
  #recordedInOrder: Promise<void> = Promise.resolve();
  #nextIndex = 1;
  #createdAt: Date;
  #modifiedAt: Date;
  #accessedAt = new Date();
  #deleted = false;
  #queue: Promise<unknown> = Promise.resolve();
  #onDelete?: () => void;

  private constructor(options: FilesystemDatasetClientOptions, path: string, createdAt: Date) {
    this.name = options.name;
    this.path = path;
    this.#onDelete = options.onDelete;
    this.#createdAt = createdAt;
    this.#modifiedAt = createdAt;
  }

  /**
   * Opens the dataset folder, creating it when absent, and counts the item files in it.
   * @throws InputError when the name would leave the `datasets` folder
   */
  static async open(options: FilesystemDatasetClientOptions): Promise<FilesystemDatasetClient> {
    const parent = join(options.storageDir, 'datasets');
    const path = resolveWithinDirectory(parent, options.name, 'dataset name');
    await mkdir(path, { recursive: true });

    const info = await stat(path);
    const birth = info.birthtimeMs > 0 ? info.birthtime : info.mtime;
    const client = new FilesystemDatasetClient(options, path, birth);
    client.#modifiedAt = info.mtime;
    await client.#scan();
    return client;
  }

  /** Facts about the dataset, counting items other processes appended; undefined once deleted. */
  async get(): Promise<DatasetInfo | undefined> {
    await this.#enqueue(() => this.#catchUp());
    if (this.#deleted) {
      return undefined;
    }
    return {
      id: this.name,
      name: this.name,
      itemCount: this.#count,
      createdAt: this.#createdAt,
      modifiedAt: this.#modifiedAt,
      accessedAt: this.#accessedAt,
    };
  }

  /** Deletes the folder and every item in it. */
  async delete(): Promise<void> {
    await this.#enqueue(async () => {
      await removeDirectory(this.path);
      this.#reset();
      this.#deleted = true;
    });
    this.#onDelete?.();
  }

  /** Removes every item, keeping the (now empty) dataset open. */
  async clear(): Promise<void> {
    await this.#enqueue(async () => {
      await removeDirectory(this.path);
      await mkdir(this.path, { recursive: true });
      this.#reset();
    });
  }

  /** Appends items in order, one file each. */
  async pushItems(items: Item[]): Promise<void> {
    await this.#enqueue(async () => {
      this.#assertNotDeleted();
      // Reserved ranges still being written come first, so the count stays a prefix of files.
      await this.#recordedInOrder;
      for (const item of items) {
        this.#writeItem(JSON.stringify(item, null, '\t'));
      }
      this.#modifiedAt = new Date();
    });
  }

  /**
   * Appends items like {@link FilesystemDatasetClient.pushItems}, calling `onReserve` with the
   * first item's index before any file is written (the crawler's exactly-once commit). The files
   * are written in place, not renamed into place: a crash half-way through one leaves a file that
   * is not valid JSON, which {@link FilesystemDatasetClient.completeItems} rewrites.
   *
   * @throws StorageError when another process wrote an item of the reserved range meanwhile
   */
  async pushItemsReserving(
    items: Item[],
    onReserve: (startIndex: number) => Promise<void>,
  ): Promise<void> {
    let recorded!: () => void;
    const { startIndex, previous } = await this.#enqueue(async () => {
      this.#assertNotDeleted();
      if (this.#isCatchUpDue()) {
        await this.#catchUp();
      }
      const start = this.#nextIndex;
      this.#nextIndex = start + items.length;
      const before = this.#recordedInOrder;
      this.#recordedInOrder = new Promise<void>((resolve) => (recorded = resolve));
      return { startIndex: start, previous: before };
    });

    // `onReserve` runs outside the serialised queue, so the commits of several pushes can share
    // one storage transaction. A range whose commit fails is left as a gap. The files are
    // created on a worker thread (see file-creator.ts). Ranges are counted in reservation order,
    // so readers never see a position whose file is missing.
    let failure: unknown;
    let isWritten = items.map(() => false);
    try {
      await onReserve(startIndex);
      isWritten = await Promise.all(
        items.map(async (item, offset) => {
          try {
            await this.#writeReservedItem(startIndex + offset, JSON.stringify(item, null, '\t'));
            return true;
          } catch (error) {
            failure ??= error;
            return false;
          }
        }),
      );
    } catch (error) {
      failure = error;
    }
    await previous;
    this.#recordWritten(startIndex, isWritten);
    recorded();
    if (failure !== undefined) {
      throw failure;
    }
  }

  /**
   * Writes the items of the range starting at `startIndex` whose files are missing or cut short,
   * after a crash interrupted a {@link FilesystemDatasetClient.pushItemsReserving}. A file that
   * holds valid JSON is complete, so it is left as it is.
   */
  async completeItems(startIndex: number, items: Item[]): Promise<void> {
    await this.#enqueue(async () => {
      this.#assertNotDeleted();
      for (const [offset, item] of items.entries()) {
        const path = this.#filePath(startIndex + offset);
        if (!(await isCompleteJsonFile(path))) {
          await writeFileAtomic(path, JSON.stringify(item, null, '\t'));
        }
      }
      await this.#scan();
      this.#modifiedAt = new Date();
    });
  }

  /**
   * Reads a page of items, newest first with `desc`.
   * @throws CorruptStorageFileError when an item file is not a JSON object, or has vanished
   */
  async listItems(options: DatasetClientListOptions = {}): Promise<PaginatedList<Item>> {
    const { offset = 0, limit, desc = false } = options;
    await this.#enqueue(() => this.#catchUp());

    const total = this.#count;
    const start = Math.min(offset, total);
    const end = limit === undefined ? total : Math.min(total, start + limit);
    const positions = Array.from({ length: end - start }, (_, i) =>
      desc ? total - 1 - (start + i) : start + i,
    );
    const items = await mapWithConcurrency(positions, READ_CONCURRENCY, (position) =>
      this.#readItem(this.#indexAt(position)),
    );

    this.#accessedAt = new Date();
    return { items, total, count: items.length, offset, limit: limit ?? end - start, desc };
  }

  async #scan(): Promise<void> {
    const indexes: number[] = [];
    for (const name of await readdir(this.path)) {
      const match = ITEM_FILE_PATTERN.exec(name);
      if (match) {
        indexes.push(Number(match[1]));
      }
    }
    indexes.sort((a, b) => a - b);

    const last = indexes.at(-1) ?? 0;
    this.#indexes = last === indexes.length ? undefined : indexes;
    this.#count = indexes.length;
    this.#nextIndex = last + 1;
  }

  // Counts item files that another process appended since the last look.
  async #catchUp(): Promise<void> {
    while (!this.#deleted && (await exists(this.#filePath(this.#nextIndex)))) {
      this.#record(this.#nextIndex);
    }
  }

  // Limitation: a reserved push notices items another process appended within a second, not at
  // once; one that collides with such an item in that second fails (exactly-once needs one writer).
  #isCatchUpDue(): boolean {
    const now = Date.now();
    if (now - this.#caughtUpAt < CATCH_UP_INTERVAL_MILLIS) {
      return false;
    }
    this.#caughtUpAt = now;
    return true;
  }

  async #writeReservedItem(index: number, json: string): Promise<void> {
    const path = this.#filePath(index);
    try {
      await createNewFile(path, json);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      throw new StorageError(
        `Another process wrote item ${index} of dataset "${this.name}" while this one had ` +
          'reserved it; let one process at a time write to a dataset a crawler commits to',
        { path, cause: error },
      );
    }
  }

  #writeItem(json: string): void {
    for (;;) {
      const index = this.#nextIndex;
      try {
        writeFileAtomicSync(this.#filePath(index), json, { exclusive: true });
        this.#record(index);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
        // Another process wrote this index first: count its item and take the next one.
        this.#record(index);
      }
    }
  }

  async #readItem(index: number): Promise<Item> {
    const path = this.#filePath(index);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isNotFound(error)) {
        throw new CorruptStorageFileError(
          path,
          'the item file vanished while the dataset was open',
        );
      }
      throw error;
    }

    const item = parseJsonFile(text, path);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new CorruptStorageFileError(path, 'a dataset item must be a JSON object');
    }
    return item as Item;
  }

  #record(index: number): void {
    this.#indexes?.push(index);
    this.#count += 1;
    this.#nextIndex = Math.max(this.#nextIndex, index + 1);
  }

  // Counts the range's files: those written, and those another process wrote first.
  #recordWritten(startIndex: number, isWritten: boolean[]): void {
    const present = isWritten.map(
      (written, offset) => written || existsSync(this.#filePath(startIndex + offset)),
    );
    if (!this.#indexes && present.includes(false)) {
      // A missing file leaves a gap: positions no longer map to indexes one to one.
      this.#indexes = Array.from({ length: this.#count }, (_, i) => i + 1);
    }
    for (const [offset, isPresent] of present.entries()) {
      if (isPresent) {
        this.#record(startIndex + offset);
      }
    }
    this.#modifiedAt = new Date();
  }

  #reset(): void {
    this.#indexes = undefined;
    this.#count = 0;
    this.#nextIndex = 1;
    this.#modifiedAt = new Date();
  }

  #indexAt(position: number): number {
    return this.#indexes ? this.#indexes[position] : position + 1;
  }

  #filePath(index: number): string {
    return join(this.path, datasetItemFileName(index));
  }

  #assertNotDeleted(): void {
    if (this.#deleted) {
      throw new StorageError(`Dataset "${this.name}" was dropped; open it again to write to it`, {
        path: this.path,
      });
    }
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

// A reserved item file is complete once it parses: a write cut short leaves truncated JSON.
async function isCompleteJsonFile(path: string): Promise<boolean> {
  try {
    JSON.parse(await readFile(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function mapWithConcurrency<T, R>(
  inputs: T[],
  concurrency: number,
  map: (input: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(inputs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      results[i] = await map(inputs[i]);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
  return results;
}
