/**
 * Memory and CPU limits a Linux control group (cgroup v2 or v1) puts on this process, so a crawl in
 * a container measures itself against the container's share rather than the whole machine.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The limits found; a field is undefined when no cgroup sets that limit. */
export interface CgroupLimits {
  /** Memory the group may use, in bytes. */
  memoryBytes?: number;
  /** CPU time the group may use per second of wall time, in cores (may be fractional). */
  cpuCores?: number;
}

/** Where to read the limits from; tests point these at a fixture folder. */
export interface CgroupLimitsOptions {
  /** Mount point of the cgroup file system. @default '/sys/fs/cgroup' */
  cgroupDir?: string;
  /** The process's cgroup membership file. @default '/proc/self/cgroup' */
  membershipFile?: string;
}

/**
 * Reads the tightest memory and CPU limits on this process's cgroup and its ancestors. Groups
 * nested inside a limited one inherit its limit, so each level up to the mount point counts.
 *
 * @returns Empty limits on systems without cgroups (macOS, Windows) or when nothing is limited.
 */
export function readCgroupLimits(options: CgroupLimitsOptions = {}): CgroupLimits {
  const cgroupDir = options.cgroupDir ?? '/sys/fs/cgroup';
  const paths = readMembership(options.membershipFile ?? '/proc/self/cgroup');

  const memoryV2 = minOver(ancestors(cgroupDir, paths.v2), (dir) =>
    parseBytes(readText(join(dir, 'memory.max'))),
  );
  const memoryV1 = minOver(ancestors(join(cgroupDir, 'memory'), paths.memory), (dir) =>
    parseBytes(readText(join(dir, 'memory.limit_in_bytes'))),
  );
  const cpuV2 = minOver(ancestors(cgroupDir, paths.v2), (dir) =>
    parseCpuMax(readText(join(dir, 'cpu.max'))),
  );
  const cpuV1 = minOver(ancestors(join(cgroupDir, 'cpu'), paths.cpu), readCfsQuota);

  return { memoryBytes: memoryV2 ?? memoryV1, cpuCores: cpuV2 ?? cpuV1 };
}

interface Membership {
  v2: string;
  memory: string;
  cpu: string;
}

/** Parses `/proc/self/cgroup` lines such as `0::/user.slice` and `4:memory:/docker/abc`. */
function readMembership(file: string): Membership {
  const membership: Membership = { v2: '/', memory: '/', cpu: '/' };

  for (const line of (readText(file) ?? '').split('\n')) {
    const [, controllers, path] = line.split(':', 3);
    if (path === undefined) {
      continue;
    }
    const names = controllers!.split(',');
    if (controllers === '') {
      membership.v2 = path;
    }
    if (names.includes('memory')) {
      membership.memory = path;
    }
    if (names.includes('cpu')) {
      membership.cpu = path;
    }
  }

  return membership;
}

/**
 * The process's group folder and every parent up to the mount point. Inside a cgroup namespace
 * the membership path may not exist under the mount; the mount point itself is still tried.
 */
function ancestors(mountDir: string, groupPath: string): string[] {
  const parts = groupPath.split('/').filter(Boolean);
  const dirs: string[] = [];

  for (let depth = parts.length; depth >= 0; depth--) {
    dirs.push(join(mountDir, ...parts.slice(0, depth)));
  }

  return dirs;
}

function minOver(dirs: string[], read: (dir: string) => number | undefined): number | undefined {
  let lowest: number | undefined;

  for (const dir of dirs) {
    const value = read(dir);
    if (value !== undefined && (lowest === undefined || value < lowest)) {
      lowest = value;
    }
  }

  return lowest;
}

/** v1 reports "no limit" as a huge page-aligned number; anything past 2^60 counts as none. */
const UNLIMITED_BYTES = 2 ** 60;

function parseBytes(text: string | undefined): number | undefined {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value <= 0 || value >= UNLIMITED_BYTES) {
    return undefined;
  }
  return value;
}

/** `cpu.max` holds `<quota> <period>` in microseconds, or `max <period>` when unlimited. */
function parseCpuMax(text: string | undefined): number | undefined {
  const [quota, period] = (text ?? '').split(/\s+/).map(Number);
  return coresFromQuota(quota, period);
}

function readCfsQuota(dir: string): number | undefined {
  const quota = Number(readText(join(dir, 'cpu.cfs_quota_us')));
  const period = Number(readText(join(dir, 'cpu.cfs_period_us')));
  return coresFromQuota(quota, period);
}

function coresFromQuota(quota: number | undefined, period: number | undefined): number | undefined {
  if (!quota || !period || !Number.isFinite(quota) || quota <= 0 || period <= 0) {
    return undefined;
  }
  return quota / period;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
