/**
 * Creates small files on a worker thread, so the crawl's thread never waits on the disk. On some
 * virtual disks creating a file costs the kernel several hundred microseconds of CPU, which on
 * the main thread is time taken from every other request; libuv's thread pool moves the syscall
 * but costs the main thread a round trip per call. Here the main thread posts the files of one
 * turn of the event loop as one message and receives one reply.
 */

import { Worker } from 'node:worker_threads';

import { writeNewFileSync } from './atomic-write.js';

// Source evaluated by the worker: it runs the same way from the sources (tests) and from the built
// package, as a script or as a module (the worker inherits --input-type). Replies come in the
// order the batches were posted.
const WORKER_SOURCE = `
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const { closeSync, openSync, writeFileSync } = process.getBuiltinModule('node:fs');
parentPort.on('message', (files) => {
  parentPort.postMessage(files.map(([path, data]) => {
    let fd;
    try {
      fd = openSync(path, 'wx');
      writeFileSync(fd, data);
      return null;
    } catch (error) {
      return { message: String(error && error.message), code: error && error.code };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }));
});
`;

interface WorkerFailure {
  message: string;
  code?: string;
}

interface PendingFile {
  path: string;
  data: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

let worker: Worker | undefined;
let workerUnavailable = false;
let collecting: PendingFile[] = [];
const posted: PendingFile[][] = [];

/**
 * Creates `path` with `data`, failing with an `EEXIST` error when it exists, like
 * {@link writeNewFileSync}, whose work it moves to a worker thread. Resolves once the file is
 * written and closed. Where no worker thread can start, it writes synchronously.
 */
export function createNewFile(path: string, data: string): Promise<void> {
  if (workerUnavailable) {
    return new Promise((resolve) => {
      writeNewFileSync(path, data);
      resolve();
    });
  }
  return new Promise((resolve, reject) => {
    if (collecting.length === 0) {
      // At the end of the turn: requests finishing in one turn share one message.
      setImmediate(postCollected);
    }
    collecting.push({ path, data, resolve, reject });
  });
}

function postCollected(): void {
  const files = collecting;
  collecting = [];
  const target = startedWorker();
  if (target === undefined) {
    for (const file of files) {
      createNewFile(file.path, file.data).then(file.resolve, file.reject);
    }
    return;
  }
  if (posted.length === 0) {
    target.ref();
  }
  posted.push(files);
  target.postMessage(files.map((file) => [file.path, file.data]));
}

function startedWorker(): Worker | undefined {
  if (worker !== undefined) {
    return worker;
  }
  let created: Worker;
  try {
    created = new Worker(WORKER_SOURCE, { eval: true });
  } catch {
    workerUnavailable = true;
    return undefined;
  }
  created.unref();
  created.on('message', onReply);
  created.on('error', (error: Error) => failPosted(created, error));
  created.on('exit', (code) => {
    failPosted(created, new Error(`The file-writing thread exited with code ${code}`));
  });
  worker = created;
  return created;
}

function onReply(failures: (WorkerFailure | null)[]): void {
  const files = posted.shift() ?? [];
  if (posted.length === 0) {
    worker?.unref();
  }
  for (const [index, file] of files.entries()) {
    const failure = failures[index];
    if (failure === null || failure === undefined) {
      file.resolve();
    } else {
      file.reject(
        Object.assign(new Error(failure.message), { code: failure.code, path: file.path }),
      );
    }
  }
}

// A worker that failed fails the files it was given (whether each was written is unknown), and
// later files are written on the calling thread: a worker that cannot run once may never run.
function failPosted(crashed: Worker, error: Error): void {
  if (worker !== crashed) {
    return;
  }
  worker = undefined;
  workerUnavailable = true;
  for (const files of posted.splice(0)) {
    for (const file of files) {
      file.reject(error);
    }
  }
}
