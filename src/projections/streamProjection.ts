// What a projection is to the machinery that runs it (live projector, rebuild, verify): a pure fold
// of one kind of stream into one row per stream (plus, optionally, one entry per event). The
// account projection and the transfer projection are two values of this interface, so batch
// planning, gap repair, dead letters, replay, rebuild and verify are written once for both.
import { StoredEvent } from '../ports/storedEvent';

/** Every projected row records the stream version it holds and when its last event occurred. */
export interface ProjectedRow {
  version: number;
  updatedAt: string;
}

export interface Projected<Row, Entry> {
  row: Row;
  /** The event's own record (a statement entry), or null for projections that keep none. */
  entry: Entry | null;
}

export interface StreamProjection<Row extends ProjectedRow, Entry> {
  /** Name in projection_checkpoints and projection_dead_letters; also the projector's name. */
  name: string;
  /** The stream id of a row key (the inverse of keyOfStream). */
  streamIdOf(key: string): string;
  ownsStream(streamId: string): boolean;
  /** The row key of a stream this projection owns; a PoisonEventError for any other stream. */
  keyOfStream(streamId: string): string;
  /** (row before | null, next event) → row after; a PoisonEventError when it can never apply. */
  project(row: Row | null, event: StoredEvent): Projected<Row, Entry>;
}
