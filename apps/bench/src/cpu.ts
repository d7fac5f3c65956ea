import { readdirSync, readFileSync } from 'node:fs';

/** Linux's /proc counts CPU time in USER_HZ ticks, 100 a second on every architecture it exports to. */
const TICKS_PER_SECOND = 100;

/** User and system CPU seconds from a /proc/<pid>/stat line (fields 14 and 15). */
const cpuOf = (stat: string): number => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
};

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** CPU seconds a process has used so far (all its threads); null where /proc cannot tell. */
export function processCpuSeconds(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  return stat === null ? null : cpuOf(stat);
}

/**
 * CPU seconds used so far by this machine's PostgreSQL processes (the server and its backends,
 * whose names start with `postgres`); null where /proc cannot tell or none runs here (a server
 * elsewhere through BENCH_PG_URL). A backend that ends between two readings takes its time with
 * it; the benchmark's connections live through each measured window.
 */
export function postgresCpuSeconds(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let total = 0;
  let found = false;
  for (const pid of pids) {
    const cmdline = read(`/proc/${pid}/cmdline`);
    if (!cmdline || !/^postgres[:\0 ]|\/postgres\0/.test(cmdline)) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (stat === null) continue;
    total += cpuOf(stat);
    found = true;
  }
  return found ? total : null;
}

/** CPU microseconds per item between two readings; null when either is missing. */
export const microsecondsEach = (before: number | null, after: number | null, items: number): number | null =>
  before === null || after === null || items <= 0 ? null : Math.round(((after - before) * 1e6) / items);
