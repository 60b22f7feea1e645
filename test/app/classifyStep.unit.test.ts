// The transfer process reads an account's answer by its kind, never by an HTTP status: accepted is
// done, any rejection code is a refusal, any unavailable code is transient (asked again), and a
// replay is read by what it replays (a recorded problem is a refusal, any other record is done).
import { expect } from 'chai';
import { classify } from '../../src/app/transfers/advanceTransfer';
import { UnavailableCode } from '../../src/ports/commandOutcome';

const unavailableCodes: UnavailableCode[] = ['mailbox_full', 'command_timeout', 'account_unavailable', 'actors_exhausted', 'node_overloaded', 'shutting_down', 'concurrency_conflict'];

describe('transfer step classification (classify)', () => {
  it('accepted → done', () => {
    expect(classify({ kind: 'accepted', command: 'PlaceHold', view: {}, version: 3 })).to.deep.equal({ kind: 'done' });
  });

  it('rejected → refused with its code and detail, whatever the code', () => {
    expect(classify({ kind: 'rejected', code: 'account_frozen', detail: 'frozen' })).to.deep.equal({ kind: 'refused', code: 'account_frozen', detail: 'frozen' });
    expect(classify({ kind: 'rejected', code: 'transfer_leg_void', detail: 'gone' })).to.deep.equal({ kind: 'refused', code: 'transfer_leg_void', detail: 'gone' });
  });

  for (const code of unavailableCodes) {
    it(`unavailable ${code} → transient (null), also when replayed in flight`, () => {
      expect(classify({ kind: 'unavailable', code, detail: 'later' })).to.equal(null);
      expect(classify({ kind: 'replayed', original: { kind: 'unavailable', code, detail: 'later' } })).to.equal(null);
    });
  }

  it('a recorded answer: a problem body is the refusal it records, any other body is done', () => {
    const refused = { status: 409, body: { type: 'urn:acta:problem:transfer_leg_void', title: 'Conflict', status: 409, detail: 'gave up', code: 'transfer_leg_void' } };
    expect(classify({ kind: 'replayed', original: refused })).to.deep.equal({ kind: 'refused', code: 'transfer_leg_void', detail: 'gave up' });
    expect(classify({ kind: 'replayed', original: { status: 200, body: { accountId: 'a', holdId: 'h' } } })).to.deep.equal({ kind: 'done' });
  });
});
