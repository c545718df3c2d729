/**
 * Tells whether the process that took a lease still runs, so leases of a killed crawl can be
 * released at once instead of after their expiry.
 */

import { readFileSync } from 'node:fs';

/**
 * The start time of a process as the kernel records it (clock ticks since boot, from
 * `/proc/<pid>/stat`), or `undefined` where `/proc` is not available. Together with the pid it
 * names one process for good: a pid reused later (as in containers, where every run is pid 1)
 * comes with another start time.
 */
export function readProcessStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }

  // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

/**
 * Whether the process `pid` runs and, when `startTime` is known, is the same process that
 * recorded it. A process owned by another user counts as running.
 */
export function isProcessAlive(pid: number, startTime?: string | null): boolean {
  // 0 and negative numbers address process groups, never one process.
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return false;
  }

  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }

  if (startTime === undefined || startTime === null) {
    return true;
  }
  const current = readProcessStartTime(pid);
  return current === undefined || current === startTime;
}
