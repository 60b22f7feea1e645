// The real server as a child process (tsx src/main.ts) on a real Postgres database, for kill and
// restart tests.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { openSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a spawned server's stdout (its log) goes: nowhere, or appended to a file in
 * TEST_SERVER_LOG_DIR when a developer sets it to see what a server did during a test.
 */
function serverStdout(): 'ignore' | number {
  const dir = process.env.TEST_SERVER_LOG_DIR;
  return dir ? openSync(path.join(dir, `server-${Date.now()}-${Math.floor(Math.random() * 1e6)}.log`), 'a') : 'ignore';
}

const projectRoot = path.resolve(__dirname, '../..');

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `src/main.ts` on a free port against the database, without Kafka; waits until /health answers. */
export async function startServer(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  // Kafka and the storage kind only when the caller asks for them (extraEnv), never from the suite's environment.
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_SERVER_LOG_DIR ? 'info' : 'silent' };
  delete env.KAFKA_BROKERS;
  delete env.KAFKA_BROKER;
  delete env.EVENT_STORE_KIND;
  Object.assign(env, extraEnv);
  // As `npm start` runs it: one node process with tsx's loader, no tsx CLI in front (the CLI relays a
  // SIGTERM and SIGKILLs the server when it does not acknowledge within ~60 ms, i.e. under load).
  // detached: its own process group, so killGroup reaches every process it started.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', serverStdout(), 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) throw new Error(`server exited during start-up: ${stderr}`);
    const ok = await fetch(`${baseUrl}/health`).then((response) => response.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`server not ready within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, baseUrl, stderr: () => stderr, exited };
}

export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function stopHard(server: Server | null): Promise<void> {
  if (!server) return;
  killGroup(server.child, 'SIGKILL');
  await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
}


export interface EmbeddedServerOptions {
  /** The embedded cluster's folder (EMBEDDED_PG_DATA_DIR): give each test its own under os.tmpdir(). */
  dataDir: string;
  /** The embedded cluster's port (EMBEDDED_PG_PORT). */
  pgPort: number;
  /** The HTTP port; a free one when absent. */
  httpPort?: number;
  extraEnv?: Record<string, string>;
}

/**
 * Spawns `src/main.ts` on the embedded default (no DATABASE_URL: the server starts its own
 * Postgres in dataDir) and returns at once, before it is ready: for tests that kill it during
 * start-up or expect its start to fail. waitHealthy waits for it.
 */
export async function spawnEmbeddedServer(options: EmbeddedServerOptions): Promise<Server> {
  const port = options.httpPort ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: process.env.TEST_SERVER_LOG_DIR ? 'info' : 'silent' };
  for (const name of ['DATABASE_URL', 'POSTGRES_HOST', 'KAFKA_BROKERS', 'KAFKA_BROKER', 'EVENT_STORE_KIND']) delete env[name];
  Object.assign(env, { EMBEDDED_PG_DATA_DIR: options.dataDir, EMBEDDED_PG_PORT: String(options.pgPort) }, options.extraEnv);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env, detached: true, stdio: ['ignore', serverStdout(), 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, baseUrl: `http://127.0.0.1:${port}`, stderr: () => stderr, exited };
}

/** Waits until /health answers 200 (bounded); resolves with the milliseconds it took from the call. Throws if the server exits first. */
export async function waitHealthy(server: Server, timeoutMs: number): Promise<number> {
  const started = Date.now();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void server.exited.then((value) => (exit = value));
  for (;;) {
    if (exit) throw new Error(`server exited during start-up (${JSON.stringify(exit)}): ${server.stderr()}`);
    const ok = await fetch(`${server.baseUrl}/health`).then((response) => response.ok, () => false);
    if (ok) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`server not healthy within ${timeoutMs} ms: ${server.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
