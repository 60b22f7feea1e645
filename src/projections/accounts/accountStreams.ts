// Account stream ids ("account-<accountId>") as the projection reads them back from messages.
import { accountStreamId } from '../../domain/account/accountEvents';
import { streamKind } from '../streamKind';

const accountStreams = streamKind(accountStreamId(''), 'not_an_account_stream', 'an account');

export const isAccountStream = accountStreams.owns;
/** The account id of an account stream; a PoisonEventError for any other stream id. */
export const accountIdOfStream = accountStreams.keyOf;
