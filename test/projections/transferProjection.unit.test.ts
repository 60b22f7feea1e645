// The transfer projection as a pure fold: every event type, every path a transfer can take, and
// at every step exactly the write side's transferView(evolveTransfer fold), or a named poison verdict.
import { expect } from 'chai';
import { transferView } from '../../src/app/transferView';
import { evolveTransfer } from '../../src/domain/transfer/transferDecider';
import { TransferEvent, transferEventTypes } from '../../src/domain/transfer/transferEvents';
import { initialTransferState, TransferState } from '../../src/domain/transfer/transferState';
import { NewEvent, StoredEvent } from '../../src/ports/storedEvent';
import { TransferSummaryRow } from '../../src/ports/transferReadModel';
import { PoisonCode, transferPoisonCodes, transitionPoisonCodes } from '../../src/projections/poisonEventError';
import { transferEventSchemas } from '../../src/app/events/transferEventSchemas';
import { projectTransferEvent, transferStreamProjection } from '../../src/projections/transfers/transferProjection';
import { foldStream } from '../../src/projections/rebuild/foldStreams';
import { compensationStarted, destinationCredited, fundsHeld, newEvent, opened, poisonCodeOf, requested, stored, storedTransfer, transferCompleted, transferFailed } from './fixtures';

/** The write side's view of the stream after each event (what POST /api/transfers answers). */
function writeSideViews(events: readonly StoredEvent[]): TransferSummaryRow[] {
  let state: TransferState = initialTransferState(events[0]!.streamId.slice('transfer-'.length));
  return events.map((event) => {
    state = evolveTransfer(state, { type: event.type, data: event.data } as TransferEvent, event.streamVersion, event.occurredAt);
    return transferView(state);
  });
}

function projectedRows(events: readonly StoredEvent[]): TransferSummaryRow[] {
  let row: TransferSummaryRow | null = null;
  return events.map((event) => (row = projectTransferEvent(row, event)));
}

const paths: Array<{ name: string; events: (id: string) => NewEvent[]; last: Partial<TransferSummaryRow> }> = [
  {
    name: 'completed',
    events: (id) => [requested(id, 'a', 'b', 500), fundsHeld(id), destinationCredited(id), transferCompleted(id)],
    last: { status: 'COMPLETED', stage: null, failureReason: null, failureStage: null, failureDetail: null, version: 4 },
  },
  {
    name: 'refused at the hold (insufficient funds): nothing moved',
    events: (id) => [requested(id, 'a', 'b', 500), transferFailed(id, 'insufficient_funds', 'hold', 'Available balance 10 is less than 500')],
    last: { status: 'FAILED', stage: null, failureReason: 'insufficient_funds', failureStage: 'hold', failureDetail: 'Available balance 10 is less than 500' },
  },
  {
    name: 'credit refused (destination frozen), hold released',
    events: (id) => [requested(id, 'a', 'b', 500), fundsHeld(id), compensationStarted(id, 'account_frozen', 'credit'), transferFailed(id, 'account_frozen', 'credit')],
    last: { status: 'FAILED', stage: null, failureReason: 'account_frozen', failureStage: 'credit', version: 4 },
  },
  {
    name: 'a step abandoned after its retries, with an empty detail',
    events: (id) => [requested(id, 'a', 'b', 500), compensationStarted(id, 'step_retries_exhausted', 'hold', ''), transferFailed(id, 'step_retries_exhausted', 'hold', '')],
    last: { status: 'FAILED', failureReason: 'step_retries_exhausted', failureStage: 'hold', failureDetail: '' },
  },
];

describe('transfer projection (pure fold)', () => {
  for (const path of paths) {
    it(`${path.name}: every row equals the write side's view of the stream so far`, () => {
      const events = storedTransfer('t-1', path.events('t-1'));
      const rows = projectedRows(events);
      expect(rows).to.deep.equal(writeSideViews(events));
      expect(rows.at(-1)).to.deep.include({ transferId: 't-1', sourceAccountId: 'a', destinationAccountId: 'b', amount: 500, currency: 'EUR', ...path.last });
      expect(rows.at(-1)?.createdAt).to.equal(events[0]!.occurredAt);
      expect(rows.at(-1)?.updatedAt).to.equal(events.at(-1)!.occurredAt);
    });
  }

  it('moves through the stages while PENDING, and shows the failure while compensating', () => {
    const rows = projectedRows(storedTransfer('t-1', [requested('t-1', 'a', 'b', 5), fundsHeld('t-1'), destinationCredited('t-1')]));
    expect(rows.map((row) => [row.status, row.stage])).to.deep.equal([
      ['PENDING', 'hold'],
      ['PENDING', 'credit'],
      ['PENDING', 'capture'],
    ]);
    const compensating = projectedRows(storedTransfer('t-2', [requested('t-2', 'a', 'b', 5), fundsHeld('t-2'), compensationStarted('t-2', 'account_frozen', 'credit', 'frozen')]));
    expect(compensating.at(-1)).to.deep.include({ status: 'PENDING', stage: 'release', failureReason: 'account_frozen', failureStage: 'credit', failureDetail: 'frozen' });
  });

  it('covers every transfer event type the domain defines, and every path above uses them all', () => {
    expect(transferEventTypes.filter((type) => !Object.hasOwn(transferEventSchemas, type))).to.deep.equal([]);
    const used = new Set(paths.flatMap((path) => path.events('x').map((event) => event.type)));
    expect(transferEventTypes.filter((type) => !used.has(type))).to.deep.equal([]);
  });

  it('ignores data fields the domain does not know and normalises id and time as Postgres gives them back', () => {
    const event = {
      ...storedTransfer('t-1', [newEvent('TransferRequested', { transferId: 't-1', sourceAccountId: 'a', destinationAccountId: 'b', amount: 5, currency: 'EUR', extra: 1 })])[0]!,
      occurredAt: '2024-05-01T10:00:00Z',
    };
    expect(projectTransferEvent(null, event)).to.deep.include({ createdAt: '2024-05-01T10:00:00.000Z', amount: 5 });
  });

  it('stops a stream run at its first poison event, as the live projector does', () => {
    const events = storedTransfer('t-1', [requested('t-1', 'a', 'b', 5), fundsHeld('t-1'), newEvent('TransferTeleported', { transferId: 't-1' }), transferCompleted('t-1')]);
    const folded = foldStream(transferStreamProjection, { streamId: 'transfer-t-1', start: null, events });
    expect(folded.row).to.include({ version: 2, stage: 'credit' });
    expect(folded.entries).to.deep.equal([]);
    expect(folded.poison).to.include({ version: 3, code: 'unknown_event_type' });
  });

  const pending = projectTransferEvent(null, storedTransfer('t-1', [requested('t-1', 'a', 'b', 5)])[0]!);
  const at = (version: number, event: NewEvent, transferId = 't-1'): StoredEvent => ({ ...storedTransfer(transferId, [event])[0]!, streamVersion: version });
  const poisons: Array<{ name: string; code: PoisonCode; row: TransferSummaryRow | null; event: StoredEvent }> = [
    { name: 'an account event on the transfer topic', code: 'not_a_transfer_stream', row: null, event: stored('a', 1, opened('a')) },
    { name: 'data naming another transfer', code: 'transfer_id_mismatch', row: pending, event: at(2, fundsHeld('t-2')) },
    { name: 'a step before the transfer was requested', code: 'transfer_not_found', row: null, event: at(1, fundsHeld('t-1')) },
    { name: 'a second TransferRequested', code: 'invalid_transition', row: pending, event: at(2, requested('t-1', 'a', 'b', 5)) },
    { name: 'an amount of 0', code: 'invalid_event_data', row: null, event: at(1, requested('t-1', 'a', 'b', 0)) },
    { name: 'an unknown stage', code: 'invalid_event_data', row: pending, event: at(2, transferFailed('t-1', 'x', 'teleport' as never)) },
    { name: 'a failure without a reason', code: 'invalid_event_data', row: pending, event: at(2, transferFailed('t-1', '', 'hold')) },
    { name: 'a version that skips one', code: 'version_out_of_order', row: pending, event: at(3, fundsHeld('t-1')) },
    { name: 'an unknown event type', code: 'unknown_event_type', row: pending, event: at(2, newEvent('TransferTeleported', { transferId: 't-1' })) },
  ];
  for (const row of poisons) {
    it(`poison: ${row.name} → ${row.code}`, () => {
      expect(poisonCodeOf(() => projectTransferEvent(row.row, row.event))).to.equal(row.code);
    });
  }

  it('every transfer poison code has a row', () => {
    const covered = new Set(poisons.map((row) => row.code));
    expect([...transitionPoisonCodes, ...transferPoisonCodes].filter((code) => !covered.has(code))).to.deep.equal([]);
  });
});
