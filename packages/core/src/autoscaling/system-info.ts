/**
 * Memory and CPU use of this process and every process it started (browsers, helpers), read from
 * Linux `/proc` without spawning `ps`, and measured against the machine's or the container's
 * capacity. Elsewhere only this process is counted.
 */

import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { readCgroupLimits } from './cgroup-limits.js';

/** What one reading reports; the event manager adds a timestamp and emits it as `systemInfo`. */
export interface SystemInfoReading {
  /** CPU time the process tree used since the previous reading, per core available, 0 to 1. */
  cpuCurrentUsage: number;
  /** Resident memory of the process tree, in bytes. */
  memCurrentBytes: number;
  /** Memory available to the process: the machine's, or the cgroup limit when lower, in bytes. */
  memTotalBytes: number;
}

/** Options of {@link SystemInfoReader}; the defaults read the real system. */
export interface SystemInfoReaderOptions {
  /** Process at the root of the measured tree. @default process.pid */
  pid?: number;
  /** Mount point of procfs. @default '/proc' */
  procDir?: string;
  /** Mount point of the cgroup file system, for memory and CPU limits. @default '/sys/fs/cgroup' */
  cgroupDir?: string;
  /** How long the list of descendant processes is reused, in milliseconds. @default 1_000 */
  descendantsCacheMillis?: number;
  /** Clock for CPU intervals and the descendant cache, in milliseconds. @default performance.now */
  now?: () => number;
}

/**
 * USER_HZ, the unit of the tick counts in `/proc/<pid>/stat`. The kernel ABI fixes it at 100 on
 * every mainstream architecture, whatever the internal timer frequency.
 */
const TICKS_PER_SECOND = 100;

interface ProcessUsage {
  cpuTicks: number;
  rssBytes: number;
}

/**
 * Reads the load of this process tree. Each {@link SystemInfoReader.read} reports the CPU share
 * used since the previous call, so call it on a steady interval (the event manager does, once a
 * second).
 *
 * CPU counts user and system time of every live process in the tree plus the time of the
 * children each has already reaped, so a browser that exits does not make the total drop.
 */
export class SystemInfoReader {
  readonly #pid: number;
  readonly #procDir: string;
  readonly #cacheMillis: number;
  readonly #now: () => number;
  readonly #memTotalBytes: number;
  readonly #cores: number;
  readonly #usesProc: boolean;
  #treePids: number[] = [];
  #treeReadAt = -Infinity;
  #hasChildrenFiles = true;
  #lastCpuMicros: number;
  #lastReadAt: number;

  constructor(options: SystemInfoReaderOptions = {}) {
    this.#pid = options.pid ?? process.pid;
    this.#procDir = options.procDir ?? '/proc';
    this.#cacheMillis = options.descendantsCacheMillis ?? 1_000;
    this.#now = options.now ?? (() => performance.now());

    const limits = readCgroupLimits({ cgroupDir: options.cgroupDir });
    this.#memTotalBytes = Math.min(os.totalmem(), limits.memoryBytes ?? Infinity);
    this.#cores = Math.min(os.availableParallelism(), limits.cpuCores ?? Infinity);
    this.#usesProc = readProcessUsage(this.#procDir, this.#pid) !== undefined;

    this.#lastCpuMicros = this.#readTree().cpuMicros;
    this.#lastReadAt = this.#now();
  }

  /** Takes a reading; the CPU share covers the time since the previous one (or construction). */
  read(): SystemInfoReading {
    const tree = this.#readTree();
    const readAt = this.#now();

    const usedMicros = Math.max(0, tree.cpuMicros - this.#lastCpuMicros);
    const elapsedMicros = (readAt - this.#lastReadAt) * 1000;
    this.#lastCpuMicros = tree.cpuMicros;
    this.#lastReadAt = readAt;

    const ratio = elapsedMicros > 0 ? usedMicros / elapsedMicros / this.#cores : 0;
    return {
      cpuCurrentUsage: Math.min(1, ratio),
      memCurrentBytes: tree.rssBytes,
      memTotalBytes: this.#memTotalBytes,
    };
  }

  #readTree(): { cpuMicros: number; rssBytes: number } {
    if (!this.#usesProc) {
      const cpu = process.cpuUsage();
      return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() };
    }

    let ticks = 0;
    let rssBytes = 0;
    for (const pid of this.#currentTree()) {
      const usage = readProcessUsage(this.#procDir, pid);
      ticks += usage?.cpuTicks ?? 0;
      rssBytes += usage?.rssBytes ?? 0;
    }

    return { cpuMicros: (ticks / TICKS_PER_SECOND) * 1e6, rssBytes };
  }

  /** The root and its descendants, walked again at most once per cache period. */
  #currentTree(): number[] {
    const now = this.#now();
    if (now - this.#treeReadAt < this.#cacheMillis) {
      return this.#treePids;
    }

    this.#treePids = [this.#pid, ...this.#findDescendants()];
    this.#treeReadAt = now;
    return this.#treePids;
  }

  #findDescendants(): number[] {
    if (this.#hasChildrenFiles) {
      const found = walkChildrenFiles(this.#procDir, this.#pid);
      if (found !== undefined) {
        return found;
      }
      // Kernels built without CONFIG_PROC_CHILDREN have no `children` files; scan instead.
      this.#hasChildrenFiles = false;
    }
    return scanParents(this.#procDir, this.#pid);
  }
}

/** A reader function for the event manager's `readSystemInfo` option. */
export function createSystemInfoReader(
  options: SystemInfoReaderOptions = {},
): () => SystemInfoReading {
  const reader = new SystemInfoReader(options);
  return () => reader.read();
}

/** CPU ticks and resident memory of one process, or undefined when it is gone. */
function readProcessUsage(procDir: string, pid: number): ProcessUsage | undefined {
  const stat = readText(join(procDir, String(pid), 'stat'));
  const status = readText(join(procDir, String(pid), 'status'));
  if (stat === undefined || status === undefined) {
    return undefined;
  }

  // The command name may hold spaces and parentheses; the fields start after the last `)`.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  const cpuTicks = (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0);

  // VmRSS is in kB whatever the page size; zombies and kernel threads have none.
  const rssKb = /^VmRSS:\s+(\d+)/m.exec(status)?.[1];
  return { cpuTicks, rssBytes: Number(rssKb ?? 0) * 1024 };
}

/** Descendants through `/proc/<pid>/task/<tid>/children`; undefined when the kernel lacks them. */
function walkChildrenFiles(procDir: string, root: number): number[] | undefined {
  const found: number[] = [];
  const pending = [root];

  while (pending.length > 0) {
    const pid = pending.pop()!;
    const taskDir = join(procDir, String(pid), 'task');
    for (const tid of readDir(taskDir)) {
      const children = readText(join(taskDir, tid, 'children'));
      if (children === undefined && pid === root && tid === String(root)) {
        return undefined;
      }
      const pids = (children ?? '').split(/\s+/).filter(Boolean).map(Number);
      found.push(...pids);
      pending.push(...pids);
    }
  }

  return found;
}

/** Descendants found by reading every process's parent id from `/proc/<pid>/stat`. */
function scanParents(procDir: string, root: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readDir(procDir)) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const stat = readText(join(procDir, entry, 'stat'));
    if (stat === undefined) {
      continue;
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(Number(entry));
    childrenOf.set(parent, siblings);
  }

  const found: number[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const children = childrenOf.get(pending.pop()!) ?? [];
    found.push(...children);
    pending.push(...children);
  }
  return found;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
