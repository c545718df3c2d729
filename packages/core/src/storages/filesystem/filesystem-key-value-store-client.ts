/**
 * A key-value store as a folder of files in Crawlee's layout:
 * `key_value_stores/<name>/<key>.<ext>`, the raw value in each file, the extension telling its
 * content type. Folders written by Crawlee or the Apify CLI open as they are.
 */

import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { InputError } from '../../errors.js';
import {
  DEFAULT_CONTENT_TYPE,
  decodeRecordValue,
  isJsonContentType,
  isValidRecordKey,
  parseRecordFileName,
  recordFileName,
  validateRecordKey,
} from '../content-type.js';
import type {
  KeyValueStoreClient,
  KeyValueStoreItemData,
  KeyValueStoreListOptions,
  KeyValueStoreListResult,
  KeyValueStoreRecord,
  StorageInfo,
} from '../storage-client.js';
import {
  isNotFound,
  isTempFileName,
  removeDirectory,
  resolveWithinDirectory,
  writeFileAtomic,
} from './atomic-write.js';

/** Options of {@link FilesystemKeyValueStoreClient.open}. */
export interface FilesystemKeyValueStoreClientOptions {
  /** The store's name, which is also its folder's name. */
  name: string;
  /** The storage folder holding `key_value_stores/`. */
  storageDir: string;
  /** Called once the store has been deleted. */
  onDelete?: () => void;
}

const DEFAULT_LIST_LIMIT = 1000;
const MAX_FILE_NAME_BYTES = 255;

/**
 * Reads and writes one key-value store folder. It keeps an index of key → file name, rebuilt
 * from the folder whenever a key is missing, so records another process wrote are found.
 */
export class FilesystemKeyValueStoreClient implements KeyValueStoreClient {
  /** The store's name. */
  readonly name: string;
  /** The store's folder. */
  readonly path: string;
  #files = new Map<string, string>();
  #fileNames = new Set<string>();
  #createdAt: Date;
  #modifiedAt: Date;
  #accessedAt = new Date();
  #deleted = false;
  #onDelete?: () => void;

  private constructor(
    options: FilesystemKeyValueStoreClientOptions,
    path: string,
    createdAt: Date,
  ) {
    this.name = options.name;
    this.path = path;
    this.#onDelete = options.onDelete;
    this.#createdAt = createdAt;
    this.#modifiedAt = createdAt;
  }

  /**
   * Opens the store folder, creating it when absent, and indexes the records in it.
   * @throws InputError when the name would leave the `key_value_stores` folder
   */
  static async open(
    options: FilesystemKeyValueStoreClientOptions,
  ): Promise<FilesystemKeyValueStoreClient> {
    const parent = join(options.storageDir, 'key_value_stores');
    const path = resolveWithinDirectory(parent, options.name, 'key-value store name');
    await mkdir(path, { recursive: true });

    const info = await stat(path);
    const client = new FilesystemKeyValueStoreClient(
      options,
      path,
      info.birthtimeMs > 0 ? info.birthtime : info.mtime,
    );
    client.#modifiedAt = info.mtime;
    await client.#reindex();
    return client;
  }

  /** Facts about the store; undefined once deleted. */
  async get(): Promise<StorageInfo | undefined> {
    if (this.#deleted) {
      return undefined;
    }
    return {
      id: this.name,
      name: this.name,
      createdAt: this.#createdAt,
      modifiedAt: this.#modifiedAt,
      accessedAt: this.#accessedAt,
    };
  }

  /** Deletes the folder and every record in it. */
  async delete(): Promise<void> {
    await removeDirectory(this.path);
    this.#files.clear();
    this.#fileNames.clear();
    this.#deleted = true;
    this.#onDelete?.();
  }

  /**
   * Reads a record; its content type comes from the file's extension.
   * @throws InputError on an invalid key
   * @throws CorruptStorageFileError when a JSON record does not parse
   */
  async getRecord(key: string): Promise<KeyValueStoreRecord | undefined> {
    validateRecordKey(key);
    const fileName = await this.#findFile(key);
    if (fileName === undefined) {
      return undefined;
    }

    const path = join(this.path, fileName);
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (error) {
      return this.#forgetIfMissing(key, error);
    }

    this.#accessedAt = new Date();
    const { contentType } = parseRecordFileName(fileName);
    return { key, value: decodeRecordValue(raw, contentType, path), contentType };
  }

  /**
   * Writes a record atomically as `<key>.<ext>`, removing a file the key had under another
   * extension.
   * @throws InputError on an invalid key
   */
  async setRecord(record: {
    key: string;
    value: string | Buffer;
    contentType: string;
  }): Promise<void> {
    validateRecordKey(record.key);
    const fileName = recordFileName(record.key, record.contentType);
    assertFileNameFits(record.key, fileName);
    const path = resolveWithinDirectory(this.path, fileName, 'key-value store key');

    await mkdir(this.path, { recursive: true });
    await writeFileAtomic(path, record.value);
    const previous = this.#files.get(record.key);
    if (previous !== undefined && previous !== fileName) {
      await rm(join(this.path, previous), { force: true });
      this.#fileNames.delete(previous);
    }

    this.#files.set(record.key, fileName);
    this.#fileNames.add(fileName);
    this.#modifiedAt = new Date();
  }

  /** Deletes a record; a missing one is not an error. */
  async deleteRecord(key: string): Promise<void> {
    validateRecordKey(key);
    const fileName = await this.#findFile(key);
    if (fileName === undefined) {
      return;
    }
    await rm(join(this.path, fileName), { force: true });
    this.#files.delete(key);
    this.#fileNames.delete(fileName);
    this.#modifiedAt = new Date();
  }

  /** Whether the store holds a record under `key`. */
  async recordExists(key: string): Promise<boolean> {
    validateRecordKey(key);
    const fileName = await this.#findFile(key);
    if (fileName === undefined) {
      return false;
    }
    try {
      await stat(join(this.path, fileName));
      return true;
    } catch (error) {
      await this.#forgetIfMissing(key, error);
      return false;
    }
  }

  /** Lists keys in sorted order, as found in the folder now. */
  async listKeys(options: KeyValueStoreListOptions = {}): Promise<KeyValueStoreListResult> {
    const { limit = DEFAULT_LIST_LIMIT, exclusiveStartKey, prefix } = options;
    await this.#reindex();

    const keys = [...this.#files.keys()]
      .filter((key) => prefix === undefined || key.startsWith(prefix))
      .filter((key) => exclusiveStartKey === undefined || key > exclusiveStartKey)
      .sort();
    const page = keys.slice(0, limit);
    const items = await Promise.all(page.map((key) => this.#describe(key)));
    const isTruncated = keys.length > page.length;

    this.#accessedAt = new Date();
    return {
      items: items.filter((item): item is KeyValueStoreItemData => item !== undefined),
      count: page.length,
      limit,
      isTruncated,
      exclusiveStartKey,
      nextExclusiveStartKey: isTruncated ? page.at(-1) : undefined,
    };
  }

  /**
   * The `file://` URL of the record's file, with its extension; for a key not stored yet, the
   * URL of a file named after the key alone.
   */
  getPublicUrl(key: string): string {
    validateRecordKey(key);
    const fileName = this.#files.get(key) ?? key;
    return pathToFileURL(join(this.path, fileName)).href;
  }

  /**
   * Deletes every file of the store except those of record `keepKey` (any extension, or none),
   * as purging the default store does with `INPUT`.
   */
  async purgeRecords(keepKey: string): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.path);
    } catch (error) {
      if (isNotFound(error)) {
        return;
      }
      throw error;
    }

    const doomed = names.filter((name) => parseRecordFileName(name).key !== keepKey);
    await Promise.all(
      doomed.map((name) => rm(join(this.path, name), { recursive: true, force: true })),
    );
    this.#modifiedAt = new Date();
    await this.#reindex();
  }

  async #reindex(): Promise<void> {
    const files = new Map<string, string>();
    const fileNames = new Set<string>();
    const entries = await readdir(this.path, { withFileTypes: true }).catch((error: unknown) => {
      if (isNotFound(error)) {
        return [];
      }
      throw error;
    });

    const names = entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
    for (const name of names.sort(byPreference)) {
      const { key } = parseRecordFileName(name);
      if (isRecordFile(name) && isValidRecordKey(key) && !files.has(key)) {
        files.set(key, name);
        fileNames.add(name);
      }
    }
    this.#files = files;
    this.#fileNames = fileNames;
  }

  async #findFile(key: string): Promise<string | undefined> {
    const known = this.#lookup(key);
    if (known !== undefined) {
      return known;
    }
    await this.#reindex();
    return this.#lookup(key);
  }

  // A key that carries its extension (`data.json`) is found by its file name too.
  #lookup(key: string): string | undefined {
    return this.#files.get(key) ?? (this.#fileNames.has(key) ? key : undefined);
  }

  async #describe(key: string): Promise<KeyValueStoreItemData | undefined> {
    try {
      const info = await stat(join(this.path, this.#files.get(key) ?? key));
      return { key, size: info.size };
    } catch (error) {
      return this.#forgetIfMissing(key, error);
    }
  }

  // A file another process deleted: drop it from the index, rethrow anything else.
  async #forgetIfMissing(key: string, error: unknown): Promise<undefined> {
    if (!isNotFound(error)) {
      throw error;
    }
    await this.#reindex();
    return undefined;
  }
}

// Limitation: keys may have 256 characters, but with the extension a file name must fit in 255
// bytes, so the longest keys can only be stored in memory.
function assertFileNameFits(key: string, fileName: string): void {
  if (Buffer.byteLength(fileName) > MAX_FILE_NAME_BYTES) {
    const room = MAX_FILE_NAME_BYTES - (fileName.length - key.length);
    throw new InputError(
      `Key "${key}" is too long for a file: with its extension the file name "${fileName}" ` +
        `passes ${MAX_FILE_NAME_BYTES} bytes; use a key of at most ${room} characters`,
      { code: 'TRAWL_INVALID_RECORD_KEY' },
    );
  }
}

// When several files hold one key (`INPUT.json`, `INPUT`), JSON wins, then other known types,
// then unknown or missing extensions; ties go by name.
function byPreference(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function rank(fileName: string): number {
  const { contentType } = parseRecordFileName(fileName);
  if (isJsonContentType(contentType)) {
    return 0;
  }
  return contentType === DEFAULT_CONTENT_TYPE ? 2 : 1;
}

function isRecordFile(name: string): boolean {
  return !isTempFileName(name) && name !== '__metadata__.json' && !name.includes('.__metadata__.');
}
