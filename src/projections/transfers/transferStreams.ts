// Transfer stream ids ("transfer-<transferId>") as the projection reads them back from messages.
import { transferStreamId } from '../../domain/transfer/transferIds';
import { streamKind } from '../streamKind';

const transferStreams = streamKind(transferStreamId(''), 'not_a_transfer_stream', 'a transfer');

export const isTransferStream = transferStreams.owns;
/** The transfer id of a transfer stream; a PoisonEventError for any other stream id. */
export const transferIdOfStream = transferStreams.keyOf;
