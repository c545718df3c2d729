import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { afterEach, describe, expect, test } from 'vitest';

import { SystemInfoReader, createSystemInfoReader } from '../../src/autoscaling/system-info.js';

const MIB = 2 ** 20;
const isLinux = process.platform === 'linux';

/** Starts `node -e code`; the child stays until its stdin closes. */
function spawnNode(code: string): ChildProcess {
  const script = `${code}; process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
  return spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
}

/** Resolves with the child's first line of output. */
function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before printing`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin!.end();
  await exited;
}

describe.runIf(isLinux)('SystemInfoReader on this machine', () => {
  const children: ChildProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
  });

  test('counts the memory of a child process in the tree', async () => {
    const reader = new SystemInfoReader({ descendantsCacheMillis: 0 });
    const before = reader.read().memCurrentBytes;

    const child = spawnNode(
      `globalThis.kept = Buffer.alloc(${100 * MIB}, 1); console.log('ready')`,
    );
    children.push(child);
    expect(await firstLine(child)).toBe('ready');
    const after = reader.read();

    expect(after.memCurrentBytes - before).toBeGreaterThanOrEqual(80 * MIB);
    expect(after.memTotalBytes).toBeLessThanOrEqual(os.totalmem());
  });

  test('a busy child raises the CPU share of the tree, which stays between 0 and 1', async () => {
    const reader = new SystemInfoReader({ descendantsCacheMillis: 0 });
    const startedAt = performance.now();
    reader.read();

    const burn = `const start = process.cpuUsage(); let spent = 0;
      while (spent < 300_000) {
        const used = process.cpuUsage(start); spent = used.user + used.system;
      }
      console.log('burnt')`;
    const child = spawnNode(burn);
    children.push(child);
    expect(await firstLine(child)).toBe('burnt');
    const usage = reader.read().cpuCurrentUsage;
    const elapsedSecs = (performance.now() - startedAt) / 1000;

    // The child used at least 0.3 s of CPU; allow for tick rounding.
    const lowBound = (0.25 / elapsedSecs / os.availableParallelism()) * 0.9;
    expect(usage).toBeGreaterThan(lowBound);
    expect(usage).toBeLessThanOrEqual(1);
  });

  test('createSystemInfoReader returns a reading function for the event manager', () => {
    const read = createSystemInfoReader();
    const reading = read();

    expect(reading.memCurrentBytes).toBeGreaterThan(10 * MIB);
    expect(reading.cpuCurrentUsage).toBeGreaterThanOrEqual(0);
    expect(reading.cpuCurrentUsage).toBeLessThanOrEqual(1);
  });
});

describe('SystemInfoReader on a procfs fixture', () => {
  let dir: string;

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a fake `/proc/<pid>` with its parent, CPU ticks and resident kB. */
  function writeProcess(pid: number, parent: number, ticks: number, rssKb: number): void {
    mkdirSync(join(dir, 'proc', String(pid), 'task', String(pid)), { recursive: true });
    // The command name holds spaces and a parenthesis, as browser helpers' names do.
    const stat = `${pid} (web (helper) x) S ${parent} 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0`;
    writeFileSync(join(dir, 'proc', String(pid), 'stat'), `${stat}\n`);
    writeFileSync(join(dir, 'proc', String(pid), 'status'), `Name:\tx\nVmRSS:\t  ${rssKb} kB\n`);
  }

  function writeChildren(pid: number, children: number[]): void {
    writeFileSync(
      join(dir, 'proc', String(pid), 'task', String(pid), 'children'),
      children.join(' '),
    );
  }

  function setUp(withChildrenFiles: boolean): { reader: SystemInfoReader; clock: { now: number } } {
    dir = mkdtempSync(join(os.tmpdir(), 'trawl-proc-'));
    writeProcess(100, 1, 0, 1024);
    writeProcess(101, 100, 0, 2048);
    writeProcess(102, 101, 0, 4096);
    writeProcess(200, 1, 0, 999_999);
    if (withChildrenFiles) {
      writeChildren(100, [101]);
      writeChildren(101, [102]);
      writeChildren(102, []);
    }
    mkdirSync(join(dir, 'cgroup'));
    writeFileSync(join(dir, 'cgroup', 'cpu.max'), '100000 100000\n');

    const clock = { now: 0 };
    const reader = new SystemInfoReader({
      pid: 100,
      procDir: join(dir, 'proc'),
      cgroupDir: join(dir, 'cgroup'),
      now: () => clock.now,
    });
    return { reader, clock };
  }

  test.each([true, false])(
    'sums memory and CPU of the root and its descendants only (children files: %s)',
    (withChildrenFiles) => {
      const { reader, clock } = setUp(withChildrenFiles);

      writeProcess(101, 100, 30, 2048);
      writeProcess(102, 101, 20, 4096);
      clock.now = 1_000;
      const reading = reader.read();

      expect(reading.memCurrentBytes).toBe((1024 + 2048 + 4096) * 1024);
      // 50 ticks are 0.5 s of CPU over 1 s, on the 1 core the cgroup quota allows.
      expect(reading.cpuCurrentUsage).toBeCloseTo(0.5, 5);
    },
  );

  test('walks the process tree again only after descendantsCacheMillis', () => {
    const { reader, clock } = setUp(true);
    writeProcess(103, 100, 0, 8192);
    writeChildren(100, [101, 103]);

    clock.now = 500;
    expect(reader.read().memCurrentBytes).toBe((1024 + 2048 + 4096) * 1024);
    clock.now = 1_000;
    expect(reader.read().memCurrentBytes).toBe((1024 + 2048 + 4096 + 8192) * 1024);
  });

  test('falls back to this process alone where there is no procfs', () => {
    dir = mkdtempSync(join(os.tmpdir(), 'trawl-proc-'));
    const reader = new SystemInfoReader({ procDir: join(dir, 'missing') });

    const reading = reader.read();

    expect(reading.memCurrentBytes).toBeGreaterThan(10 * MIB);
    expect(reading.memTotalBytes).toBeLessThanOrEqual(os.totalmem());
  });
});
