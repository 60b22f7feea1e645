// How bench.ts starts Acta in its own process. The lead wires `startActaServer` to the composition
// root (boot the app on an ephemeral loopback port, durable storage as in production); until then
// the Acta rows of the bench report "not wired yet" and only the Express baseline is measured.

export interface StartedServer {
  /** API base including `/api`, e.g. `http://127.0.0.1:54321/api`. */
  baseUrl: string;
  close(): Promise<void>;
}

export type StartServer = () => Promise<StartedServer>;

export const startActaServer: StartServer = async () => {
  throw new Error('not wired yet: replace startActaServer in load/benchTarget.ts with a function that boots Acta');
};
