import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, test } from 'vitest';

import { readCgroupLimits } from '../../src/autoscaling/cgroup-limits.js';

let root: string | undefined;

/** Writes `files` (relative path → content) under a fresh folder and returns the folder. */
function fixture(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'trawl-cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function limitsIn(dir: string) {
  return readCgroupLimits({ cgroupDir: join(dir, 'fs'), membershipFile: join(dir, 'cgroup') });
}

describe('readCgroupLimits', () => {
  afterEach(() => {
    rmSync(root!, { recursive: true, force: true });
  });

  test('cgroup v2: takes the tightest limit of the group and its ancestors', () => {
    const dir = fixture({
      cgroup: '0::/app/worker\n',
      'fs/app/worker/memory.max': 'max\n',
      'fs/app/worker/cpu.max': '50000 100000\n',
      'fs/app/memory.max': '2147483648\n',
      'fs/app/cpu.max': 'max 100000\n',
    });

    expect(limitsIn(dir)).toEqual({ memoryBytes: 2 * 2 ** 30, cpuCores: 0.5 });
  });

  test('cgroup v2 in a namespace: reads the mount point when the group path is not there', () => {
    const dir = fixture({
      cgroup: '0::/docker/0123abc\n',
      'fs/memory.max': '536870912\n',
      'fs/cpu.max': '150000 100000\n',
    });

    expect(limitsIn(dir)).toEqual({ memoryBytes: 512 * 2 ** 20, cpuCores: 1.5 });
  });

  test('cgroup v1: reads memory.limit_in_bytes and the CFS quota of each controller', () => {
    const dir = fixture({
      cgroup: '4:memory:/job\n2:cpu,cpuacct:/job\n0::/\n',
      'fs/memory/job/memory.limit_in_bytes': '1073741824\n',
      'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
      'fs/cpu/job/cpu.cfs_quota_us': '200000\n',
      'fs/cpu/job/cpu.cfs_period_us': '100000\n',
    });

    expect(limitsIn(dir)).toEqual({ memoryBytes: 2 ** 30, cpuCores: 2 });
  });

  test('reports no limit for v1 "unlimited" values, a -1 quota, or missing files', () => {
    const dir = fixture({
      cgroup: '4:memory:/\n2:cpu:/\n',
      'fs/memory/memory.limit_in_bytes': '9223372036854771712\n',
      'fs/cpu/cpu.cfs_quota_us': '-1\n',
      'fs/cpu/cpu.cfs_period_us': '100000\n',
    });

    expect(limitsIn(dir)).toEqual({ memoryBytes: undefined, cpuCores: undefined });
    expect(
      readCgroupLimits({ cgroupDir: join(dir, 'nowhere'), membershipFile: join(dir, 'x') }),
    ).toEqual({ memoryBytes: undefined, cpuCores: undefined });
  });
});
