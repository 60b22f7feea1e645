// The transfer projection as a pure fold: (transfer_summary row | null, stored event) → next row.
// It folds with the write side's own evolveTransfer and shapes the row with transferView, so the
// row is by construction what the write side answers for the same stream (POST and GET agree),
// live and rebuilt alike.
//
// It accepts exactly what evolveTransfer accepts; anything else (unknown type, bad data, a version
// out of order, an event before TransferRequested, a transition evolveTransfer asserts against)
// throws a PoisonEventError.
import { AssertionError } from 'node:assert';
import { transferEventSchemas } from '../../app/events/transferEventSchemas';
import { transferView } from '../../app/transferView';
import { evolveTransfer } from '../../domain/transfer/transferDecider';
import { TransferEvent } from '../../domain/transfer/transferEvents';
import { transferStreamId } from '../../domain/transfer/transferIds';
import { initialTransferState, TransferState } from '../../domain/transfer/transferState';
import { StoredEvent } from '../../ports/storedEvent';
import { TransferSummaryRow } from '../../ports/transferReadModel';
import { checkedEvent } from '../eventEnvelope';
import { poison } from '../poisonEventError';
import { StreamProjection } from '../streamProjection';
import { streamKind } from '../streamKind';
import { BatchOutcome, ProjectionBatch } from '../projectionBatch';

// Transfer stream ids ("transfer-<transferId>") as the projection reads them back from messages.
const transferStreams = streamKind(transferStreamId(''), 'not_a_transfer_stream', 'a transfer');

export const isTransferStream = transferStreams.owns;
/** The transfer id of a transfer stream; a PoisonEventError for any other stream id. */
export const transferIdOfStream = transferStreams.keyOf;

/** The projection-side write port both transfer read model adapters implement. */
export interface TransferProjectionWriter {
  applyTransferBatch(batch: ProjectionBatch): Promise<BatchOutcome>;
}

/** Projection name in projection_checkpoints and projection_dead_letters. */
export const transferProjectionName = 'transfers';

/** What checkedEvent needs per type: the data schema the write side's load decodes with too. */
const transferEventCheckers: Readonly<Record<string, { schema: (typeof transferEventSchemas)[keyof typeof transferEventSchemas] }>> = Object.fromEntries(
  Object.entries(transferEventSchemas).map(([type, schema]) => [type, { schema }]),
);

export function projectTransferEvent(row: TransferSummaryRow | null, event: StoredEvent): TransferSummaryRow {
  const transferId = transferIdOfStream(event.streamId);
  const checked = checkedEvent(transferEventCheckers, event, row?.version ?? 0);
  const data = checked.data as { transferId: string };
  const where = `${event.type} ${event.streamId} v${event.streamVersion}`;
  if (data.transferId !== transferId) throw poison('transfer_id_mismatch', `${where} names transfer ${data.transferId}`);
  if (event.type !== 'TransferRequested' && row === null) throw poison('transfer_not_found', `${where} before the transfer was requested`);
  const state = row === null ? initialTransferState(transferId) : stateOf(row);
  try {
    return transferView(evolveTransfer(state, { type: event.type, data } as TransferEvent, event.streamVersion, checked.at));
  } catch (error) {
    // evolveTransfer asserts the invariants of the stream; an event that breaks one can never
    // apply, here or on the write side, so it is poison rather than a failed (retried) batch.
    if (error instanceof AssertionError) throw poison('invalid_transition', `${where}: ${error.message}`);
    throw error;
  }
}

/** The TransferState a row was made from (transferView is one-to-one on states that exist). */
function stateOf(row: TransferSummaryRow): TransferState {
  const failed = row.failureReason !== null && row.failureStage !== null;
  return {
    transferId: row.transferId,
    status: row.status,
    stage: row.stage,
    sourceAccountId: row.sourceAccountId,
    destinationAccountId: row.destinationAccountId,
    amount: row.amount,
    currency: row.currency,
    failure: failed ? { reason: row.failureReason!, stage: row.failureStage!, detail: row.failureDetail ?? '' } : null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const transferStreamProjection: StreamProjection<TransferSummaryRow, never> = {
  name: transferProjectionName,
  streamIdOf: transferStreamId,
  ownsStream: isTransferStream,
  keyOfStream: transferIdOfStream,
  project: (row, event) => ({ row: projectTransferEvent(row, event), entry: null }),
};
