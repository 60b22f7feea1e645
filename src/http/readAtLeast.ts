// Read-your-writes for every GET of a read model: with ?minVersion=N the read waits (bounded by
// READ_WAIT_MS) until the projection holds version N of the row, and answers 503 read_model_behind
// when it does not get there in time; without it the row is read as it is.
import type { Response } from 'express';
import { ProjectionVersions } from '../app/projectionVersions';
import { sendProblem } from './respond';

export interface ReadWait {
  /** What the projector of this read model applied (its keys are the route's ids). */
  versions: ProjectionVersions;
  readWaitMs: number;
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
  if (minVersion !== undefined) {
    const reached = await wait.versions.waitFor(key, minVersion, wait.readWaitMs, async () => (await read(key))?.version ?? null);
    if (!reached) {
      sendProblem(res, 503, 'read_model_behind', `The read model has not reached version ${minVersion} within ${wait.readWaitMs} ms; retry`, {
        retryAfterSeconds: 1,
      });
      return null;
    }
  }
  const row = await read(key);
  if (!row) notFound();
  return row;
}
