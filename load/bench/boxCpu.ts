// Samples where a measured run's CPU went on the whole box, for the bench's per-request CPU columns:
// every thread of this process (the server's main thread, autocannon's worker thread, Node's helper
// threads) and the Postgres processes behind the server. Linux /proc only; elsewhere every part is
// null and the report prints "n/a". Marks are taken around the run, never during it, so sampling
// costs the measured thread nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Linux's USER_HZ: what `getconf CLK_TCK` answers on every architecture Node runs on. */
const clockTicksPerSecFallback = 100;
const postgresComm = 'postgres';

/** The fields of /proc/<pid>/stat the bench needs. */
export interface ProcStat {
  comm: string;
  ppid: number;
  /** utime + stime, clock ticks. */
  ownTicks: number;
  /** cutime + cstime: the whole lives of the children it has reaped, clock ticks. */
  reapedChildTicks: number;
}

/** Parses /proc/<pid>/stat; the comm is parenthesised and may hold spaces or parentheses, so fields are read after the last ")". */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  // Fields from the 3rd (state) on; utime, stime, cutime, cstime are fields 14–17.
  const rest = text.slice(close + 2).trim().split(' ').map(Number);
  const [ppid, utime, stime, cutime, cstime] = [rest[1], rest[11], rest[12], rest[13], rest[14]];
  if (![ppid, utime, stime, cutime, cstime].every((value) => value !== undefined && Number.isFinite(value))) return null;
  return { comm: text.slice(open + 1, close), ppid: ppid as number, ownTicks: (utime as number) + (stime as number), reapedChildTicks: (cutime as number) + (cstime as number) };
}

export interface PostgresProcess {
  ppid: number;
  /** A postmaster (its parent is not postgres) also counts its reaped children: a backend that exits moves its CPU there. */
  postmaster: boolean;
  ticks: number;
}

/** pid → what it had used, for every postgres process visible at one instant. */
export type PostgresSnapshot = Map<number, PostgresProcess>;

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Reads a /proc file of a task that may exit between listing and reading; null when it did. */
function readProcFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
}

function listProc(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch (error) {
    // No /proc: not Linux. The columns then say "n/a" rather than a made-up number.
    if (isGone(error)) return null;
    throw error;
  }
}

export function snapshotPostgres(): PostgresSnapshot | null {
  const entries = listProc('/proc');
  if (entries === null) return null;
  const stats = new Map<number, ProcStat>();
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = readProcFile(`/proc/${entry}/comm`);
    if (comm === null || comm.trimEnd() !== postgresComm) continue;
    const text = readProcFile(`/proc/${entry}/stat`);
    const stat = text === null ? null : parseProcStat(text);
    if (stat !== null) stats.set(Number(entry), stat);
  }
  const snapshot: PostgresSnapshot = new Map();
  for (const [pid, stat] of stats) {
    const postmaster = !stats.has(stat.ppid);
    snapshot.set(pid, { ppid: stat.ppid, postmaster, ticks: stat.ownTicks + (postmaster ? stat.reapedChildTicks : 0) });
  }
  return snapshot;
}

/**
 * Keeps the clusters this process started (their postmaster is our child: the embedded Postgres) when
 * there are any, so another engineer's cluster on a shared box is not billed to this run; otherwise
 * (an external server) every postgres process on the box.
 */
export function ownClusters(snapshot: PostgresSnapshot, selfPid: number): PostgresSnapshot {
  const ours = new Set([...snapshot].filter(([, proc]) => proc.postmaster && proc.ppid === selfPid).map(([pid]) => pid));
  if (ours.size === 0) return snapshot;
  return new Map([...snapshot].filter(([pid, proc]) => ours.has(pid) || ours.has(proc.ppid)));
}

/**
 * Ticks used between two snapshots. A pid that appeared counts from 0. A pid that exited counts up to
 * its last sighting (the start); if its postmaster is still there, it reaped it and now holds its whole
 * life, so the part before the start is taken back out.
 */
export function postgresTicksBetween(start: PostgresSnapshot, end: PostgresSnapshot): number {
  let ticks = 0;
  for (const [pid, now] of end) ticks += now.ticks - (start.get(pid)?.ticks ?? 0);
  for (const [pid, then] of start) {
    if (!end.has(pid) && end.get(then.ppid)?.postmaster === true) ticks -= then.ticks;
  }
  return Math.max(0, ticks);
}

let clockTicksPerSec: number | undefined;

/** The tick rate of /proc/<pid>/stat, asked once. */
export function clockTicks(): number {
  if (clockTicksPerSec !== undefined) return clockTicksPerSec;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    clockTicksPerSec = Number.isInteger(value) && value > 0 ? value : clockTicksPerSecFallback;
  } catch (error) {
    // getconf missing: the kernel's USER_HZ is 100 anyway; say so once rather than guess silently.
    console.warn(`getconf CLK_TCK failed (${(error as Error).message}); assuming ${clockTicksPerSecFallback} ticks/s`);
    clockTicksPerSec = clockTicksPerSecFallback;
  }
  return clockTicksPerSec;
}

/** tid → nanoseconds on CPU (schedstat), for every thread of this process. */
export function snapshotThreads(): Map<number, number> | null {
  const tids = listProc('/proc/self/task');
  if (tids === null) return null;
  const threads = new Map<number, number>();
  for (const tid of tids) {
    const text = readProcFile(`/proc/self/task/${tid}/schedstat`);
    const onCpuNs = text === null ? NaN : Number(text.split(' ')[0]);
    if (Number.isFinite(onCpuNs)) threads.set(Number(tid), onCpuNs);
  }
  return threads;
}

/** Per measured run, milliseconds of CPU beside the server's thread; null where it cannot be read. */
export interface BoxCpuMs {
  /** Threads that started or ended during the run: autocannon starts a worker thread per run, so this is the load client. */
  clientMs: number | null;
  /** Other threads alive throughout: libuv's pool, V8's platform threads, any worker the server keeps. */
  otherThreadsMs: number | null;
  /** The Postgres processes (ownClusters). */
  pgMs: number | null;
}

export interface BoxCpuMark {
  pg: PostgresSnapshot | null;
  threads: Map<number, number> | null;
  processUs: number;
}

function processCpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Take it before the server's own mark, so the /proc walk is not billed to the server's thread. */
export function markBoxCpu(): BoxCpuMark {
  const pg = snapshotPostgres();
  return { pg: pg === null ? null : ownClusters(pg, process.pid), threads: snapshotThreads(), processUs: processCpuUs() };
}

/** Take it after the server's own reading, for the same reason. */
export function boxCpuSince(mark: BoxCpuMark): BoxCpuMs {
  const processMs = (processCpuUs() - mark.processUs) / 1000;
  const threads = snapshotThreads();
  const pg = snapshotPostgres();
  return {
    ...splitThreads(mark.threads, threads, processMs, process.pid),
    pgMs: mark.pg === null || pg === null ? null : (postgresTicksBetween(mark.pg, ownClusters(pg, process.pid)) * 1000) / clockTicks(),
  };
}

/**
 * The process's CPU (getrusage: every thread, exited ones too) less the main thread is everything else;
 * the threads alive at both marks are measured directly, and the rest, the threads born or gone during
 * the run, is the client (a thread that ended took its schedstat with it, so it is only known this way).
 */
export function splitThreads(start: Map<number, number> | null, end: Map<number, number> | null, processMs: number, mainTid: number): Pick<BoxCpuMs, 'clientMs' | 'otherThreadsMs'> {
  const mainStart = start?.get(mainTid);
  const mainEnd = end?.get(mainTid);
  if (start === null || end === null || mainStart === undefined || mainEnd === undefined) return { clientMs: null, otherThreadsMs: null };
  let persistentNs = 0;
  for (const [tid, ns] of end) {
    const before = start.get(tid);
    if (tid !== mainTid && before !== undefined) persistentNs += Math.max(0, ns - before);
  }
  const besideMainMs = Math.max(0, processMs - (mainEnd - mainStart) / 1e6);
  const otherThreadsMs = Math.min(besideMainMs, persistentNs / 1e6);
  return { clientMs: besideMainMs - otherThreadsMs, otherThreadsMs };
}
