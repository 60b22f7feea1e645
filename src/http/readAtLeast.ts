// Read-your-writes for every GET of a read model: with ?minVersion=N the read waits (bounded by
// READ_WAIT_MS) until the projection holds version N of the row, and answers 503 read_model_behind
// when it does not get there in time. Without minVersion a row that is there is read as it is; a
// row that is not there yet is looked up in the event store first, because a client that just
// created it (the seed's load runner reads right after a create) must wait for the projection,
// not get a 404. Only a stream the event store does not have answers 404.
import type { Response } from 'express';
import { ProjectionVersions } from '../app/projectionVersions';
import { sendProblem } from './respond';

export interface ReadWait {
  /** What the projector of this read model applied (its keys are the route's ids). */
  versions: ProjectionVersions;
  readWaitMs: number;
  /** The event store's current version of the stream behind a key (0: no such stream). */
  writtenVersion: (key: string) => Promise<number>;
}

/** The row, or null once a problem has been answered (404 through notFound, 503). */
export async function readAtLeast<Row extends { version: number }>(
  wait: ReadWait,
  res: Response,
  key: string,
  minVersion: number | undefined,
  read: (key: string) => Promise<Row | null>,
  notFound: () => void,
): Promise<Row | null> {
  const row = await read(key);
  if (row && (minVersion === undefined || row.version >= minVersion)) return row;
  if (row) return waitedFor(wait, res, key, minVersion ?? row.version, read, notFound);
  const written = await wait.writtenVersion(key);
  if (written === 0) {
    notFound();
    return null;
  }
  // Without minVersion, everything committed before this read began is what it waits for.
  return waitedFor(wait, res, key, minVersion ?? written, read, notFound);
}

async function waitedFor<Row extends { version: number }>(
  wait: ReadWait,
  res: Response,
  key: string,
  version: number,
  read: (key: string) => Promise<Row | null>,
  notFound: () => void,
): Promise<Row | null> {
  const reached = await wait.versions.waitFor(key, version, wait.readWaitMs, async () => (await read(key))?.version ?? null);
  if (!reached) {
    sendProblem(res, 503, 'read_model_behind', `The read model has not reached version ${version} within ${wait.readWaitMs} ms; retry`, {
      retryAfterSeconds: 1,
    });
    return null;
  }
  const caughtUp = await read(key);
  if (!caughtUp) notFound();
  return caughtUp;
}
