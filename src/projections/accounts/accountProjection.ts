// The account projection as a pure fold: (summary row | null, stored event) → next summary row and
// the event's statement entry. The live projector, rebuild and verify all go through it, so the
// read model built live and the one rebuilt from the event store are the same rows.
//
// It accepts exactly what the write side's evolve() accepts. Anything else (unknown type, bad data,
// an event out of order or for an account that does not exist) throws a PoisonEventError.
import { accountStreamId } from '../../domain/account/accountEvents';
import { AccountSummaryRow, StatementEntry } from '../../ports/readModel';
import { StoredEvent } from '../../ports/storedEvent';
import { accountProjectionName } from './accountBatch';
import { accountEventHandlers, ProjectedAccountEvent } from './accountEventHandlers';
import { accountIdOfStream, isAccountStream } from './accountStreams';
import { checkedEvent } from '../eventEnvelope';
import { poison } from '../poisonEventError';
import { StreamProjection } from '../streamProjection';

export type { ProjectedAccountEvent } from './accountEventHandlers';

export function projectAccountEvent(summary: AccountSummaryRow | null, event: StoredEvent): ProjectedAccountEvent {
  const accountId = accountIdOfStream(event.streamId);
  const checked = checkedEvent(accountEventHandlers, event, summary?.version ?? 0);
  const data = checked.data as { accountId: string };
  if (data.accountId !== accountId) {
    throw poison('account_id_mismatch', `${event.type} in ${event.streamId} names account ${data.accountId}`);
  }
  return checked.handler.project({ summary, data, event: checked.event, accountId, at: checked.at });
}

export const accountStreamProjection: StreamProjection<AccountSummaryRow, StatementEntry> = {
  name: accountProjectionName,
  streamIdOf: accountStreamId,
  ownsStream: isAccountStream,
  keyOfStream: accountIdOfStream,
  project: (row, event) => {
    const { summary, entry } = projectAccountEvent(row, event);
    return { row: summary, entry };
  },
};
