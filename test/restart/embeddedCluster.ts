// Helpers for the restart tests that run the server on its embedded default: a private data folder
// and port per test file (ports 27400-27499 belong to these tests: below the kernel's ephemeral
// range, 32768-60999, where an outgoing connection's source port could hold the port and stop
// Postgres binding it), what its lock file says, whether
// the cluster's port answers, a seeded random source, and deposits whose outcome is classified.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ClusterFolder {
  parent: string;
  dataDir: string;
}

export async function makeClusterFolder(prefix: string): Promise<ClusterFolder> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), `acta-${prefix}-`));
  // As root the cluster runs as the `postgres` user, who must reach the folder.
  await fs.chmod(parent, 0o755);
  return { parent, dataDir: path.join(parent, 'data') };
}

/** The pid postmaster.pid names, or null without one. */
export async function lockPid(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** After a test: a postmaster a failed run left behind must not outlive it on a shared machine. */
export async function removeCluster(folder: ClusterFolder | undefined): Promise<void> {
  if (!folder) return;
  const pid = await lockPid(folder.dataDir);
  if (pid !== null && alive(pid)) process.kill(pid, 'SIGKILL');
  await fs.rm(folder.parent, { recursive: true, force: true });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
