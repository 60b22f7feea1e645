// Account stream ids ("account-<accountId>") as the projection reads them back from messages.
import { accountStreamId } from '../domain/account/accountEvents';
import { poison } from './poisonEventError';

const prefix = accountStreamId('');

export function isAccountStream(streamId: string): boolean {
  return streamId.startsWith(prefix) && streamId.length > prefix.length;
}

/** The account id of an account stream; a PoisonEventError for any other stream id. */
export function accountIdOfStream(streamId: string): string {
  if (!isAccountStream(streamId)) throw poison('not_an_account_stream', `stream ${JSON.stringify(streamId)} is not an account stream`);
  return streamId.slice(prefix.length);
}
