// What a postmaster left in its data folder (postmaster.pid) and whether the process it names still
// holds the folder. Postgres itself refuses to start while the pid in that file is alive, and a
// postmaster killed with its parent stays a zombie (alive to kill(pid, 0)) until init reaps it, so a
// start right after a kill -9 fails unless someone tells a dead holder from a live one. Linux answers
// from /proc; elsewhere only "alive or not" is known, and an alive pid counts as a live postmaster.
import fs from 'node:fs/promises';
import path from 'node:path';

export const lockFileName = 'postmaster.pid';

export interface PostmasterLock {
  pid: number;
  port: number | null;
  /** SysV shared memory id: the segment every process of the cluster attaches (line 7 of the file). */
  shmId: number | null;
  /** "starting", "ready", "stopping", or "" while the postmaster has not written it yet. */
  status: string;
  /** The file's exact content, so it is removed only if nobody rewrote it meanwhile. */
  raw: string;
}

/**
 * Who holds the folder according to its lock file:
 * - none: no lock file;
 * - dead: the pid is gone, a zombie, or another program/cluster reusing the number;
 * - dying: a process of this cluster that is exiting (a backend outliving its postmaster, or a
 *   postmaster whose memory is already released);
 * - postmaster: a running postmaster of this folder (ppid given when known).
 */
export type LockHolder =
  | { kind: 'none' }
  | { kind: 'dead'; lock: PostmasterLock; why: string }
  | { kind: 'dying'; lock: PostmasterLock }
  | { kind: 'postmaster'; lock: PostmasterLock; ppid: number | null };

export async function readLock(dataDir: string): Promise<PostmasterLock | null> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dataDir, lockFileName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const lines = raw.split('\n');
  const pid = Number(lines[0]);
  // A postmaster writes the file in one go, but a crash of the writer can leave it cut short: a
  // file without a pid names no one, and Postgres itself would replace it.
  if (!Number.isSafeInteger(pid) || pid <= 0) return { pid: 0, port: null, shmId: null, status: '', raw };
  const port = Number(lines[3]);
  const shm = (lines[6] ?? '').trim().split(/\s+/);
  const shmId = shm.length === 2 && shm[1] !== '' ? Number(shm[1]) : NaN;
  return { pid, port: Number.isSafeInteger(port) ? port : null, shmId: Number.isSafeInteger(shmId) ? shmId : null, status: (lines[7] ?? '').trim(), raw };
}

export async function judgeLock(dataDir: string): Promise<LockHolder> {
  const lock = await readLock(dataDir);
  if (!lock) return { kind: 'none' };
  if (lock.pid === 0) return { kind: 'dead', lock, why: 'the lock file names no pid' };
  if (process.platform !== 'linux') return pidAlive(lock.pid) ? { kind: 'postmaster', lock, ppid: null } : { kind: 'dead', lock, why: `pid ${lock.pid} is gone` };
  const stat = await readProcStat(lock.pid);
  if (!stat) return { kind: 'dead', lock, why: `pid ${lock.pid} is gone` };
  if (stat.state === 'Z' || stat.state === 'X') return { kind: 'dead', lock, why: `pid ${lock.pid} is a zombie` };
  if (stat.comm !== 'postgres') return { kind: 'dead', lock, why: `pid ${lock.pid} is now ${stat.comm}, not a postgres` };
  const cwd = await readLink(`/proc/${lock.pid}/cwd`);
  // A postmaster works inside its data folder (it chdirs there at start); another cluster's process
  // reusing the pid works elsewhere. An unreadable cwd tells nothing: count it as ours.
  if (cwd !== null && cwd !== (await fs.realpath(dataDir))) return { kind: 'dead', lock, why: `pid ${lock.pid} is a postgres of another data folder (${cwd})` };
  const args = await readCmdline(lock.pid);
  // Empty: the process is exiting (its memory is gone). Retitled ("postgres: ..."): a backend or
  // auxiliary process, which never owns the lock file, so its postmaster is dead and it is exiting.
  if (args.length === 0 || args[0]!.startsWith('postgres:')) return { kind: 'dying', lock };
  return { kind: 'postmaster', lock, ppid: stat.ppid };
}

/**
 * Processes still attached to the cluster's shared memory segment. Postgres refuses to start while
 * any are (backends of a killed postmaster take a moment to exit). Null when unknown (not Linux,
 * no segment id) or when the segment is gone.
 */
export async function sharedMemoryAttachments(shmId: number | null): Promise<number | null> {
  if (shmId === null || process.platform !== 'linux') return null;
  let table: string;
  try {
    table = await fs.readFile('/proc/sysvipc/shm', 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // Columns: key shmid perms size cpid lpid nattch ...
  for (const line of table.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (Number(columns[1]) === shmId) return Number(columns[6]);
  }
  return null;
}

/** Removes the lock file only if it still holds what was judged (a new postmaster may have rewritten it). */
export async function removeStaleLock(dataDir: string, lock: PostmasterLock): Promise<boolean> {
  const current = await readLock(dataDir);
  if (!current || current.raw !== lock.raw) return false;
  await fs.rm(path.join(dataDir, lockFileName), { force: true });
  return true;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface ProcStat {
  comm: string;
  state: string;
  ppid: number;
}

async function readProcStat(pid: number): Promise<ProcStat | null> {
  let text: string;
  try {
    text = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return null;
    throw error;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { comm: text.slice(open + 1, close), state: rest[0] ?? '', ppid: Number(rest[1]) };
}

async function readCmdline(pid: number): Promise<string[]> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((arg) => arg !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') return [];
    throw error;
  }
}

async function readLink(file: string): Promise<string | null> {
  try {
    return await fs.readlink(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT/ESRCH: the process is exiting; EACCES: another user's process we may not inspect.
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM') return null;
    throw error;
  }
}
