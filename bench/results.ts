/**
 * What the benchmarks share: bench/RESULTS.md sections, the machine line, verdicts and the build
 * of the package measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const RESULTS = join(import.meta.dirname, 'RESULTS.md');
const REPO_ROOT = join(import.meta.dirname, '..');

/** Rewrites one `## <title>` section of bench/RESULTS.md, keeping the others. */
export function updateResultsSection(title: string, lines: string[]): void {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
  const section = `## ${title}\n\n${lines.join('\n')}\n`;
  const pattern = new RegExp(`## ${title}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(text)
    ? text.replace(pattern, section)
    : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(RESULTS, next);
}

/** The machine a benchmark ran on, for the line that opens its section. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const memGb = (os.totalmem() / 2 ** 30).toFixed(0);
  return (
    `${os.availableParallelism()} CPUs (nproc), ${cpu}, ${memGb} GiB RAM, ` +
    `Node ${process.version}, ${os.platform()} ${os.release()}`
  );
}

/** How a result line says whether a target was reached. */
export function verdict(isMet: boolean): string {
  return isMet ? 'met' : 'missed';
}

/**
 * Builds `packages/<name>` (and what it depends on) with `tsc -b`, so a benchmark measures the
 * current sources.
 * @throws Error when the build fails
 */
export function buildPackage(name: string): void {
  const build = spawnSync('npx', ['tsc', '-b', `packages/${name}`], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    throw new Error(`Building packages/${name} failed; fix its errors first`);
  }
}
