// How much CPU the server's thread spent, for the bench's "server µs/req" column. The server runs on
// the bench's main thread (autocannon runs in a worker), so on Linux the main thread's on-CPU time
// from /proc (schedstat, nanoseconds) is exactly the server's work, unlike event-loop utilisation,
// which also counts the time the thread was runnable but another process held the core. Elsewhere
// it falls back to event-loop utilisation.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface CpuMark {
  readonly onCpuNs: number | null;
  readonly elu: ReturnType<typeof performance.eventLoopUtilization>;
}

function mainThreadOnCpuNs(): number | null {
  try {
    // The main thread's task id is the process id.
    const [runNs] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    const value = Number(runNs);
    return Number.isFinite(value) ? value : null;
  } catch (error) {
    // No /proc (not Linux): the caller falls back to event-loop utilisation.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function markServerCpu(): CpuMark {
  return { onCpuNs: mainThreadOnCpuNs(), elu: performance.eventLoopUtilization() };
}

/** Milliseconds the server's thread was busy since `mark`. */
export function serverCpuMsSince(mark: CpuMark): number {
  const now = mainThreadOnCpuNs();
  if (mark.onCpuNs !== null && now !== null) return (now - mark.onCpuNs) / 1e6;
  return performance.eventLoopUtilization(mark.elu).active;
}
