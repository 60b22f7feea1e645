// The one table from command outcomes to HTTP: a row per rejection code and per unavailable code
// (and the tables cover their whole unions), the accepted statuses the seed's clients know, problem
// bodies in their byte order, and replays answering the original's status and body with the mark.
import { expect } from 'chai';
import { accountRejectionCodes } from '../../src/domain/account/accountRejection';
import { acceptedStatus, freshResponse, outcomeResponse, rejectionStatus, unavailableAnswers } from '../../src/http/outcomeResponse';
import { CommandOutcome, RejectionCode, UnavailableCode, asReplay } from '../../src/ports/commandOutcome';

const rejectionRows: Array<[RejectionCode, number]> = [
  ['account_already_exists', 409],
  ['account_not_found', 404],
  ['currency_mismatch', 422],
  ['account_already_frozen', 409],
  ['account_not_frozen', 409],
  ['account_frozen', 409],
  ['hold_not_found', 409],
  ['holds_limit_exceeded', 422],
  ['insufficient_funds', 400],
  ['balance_limit_exceeded', 422],
  ['idempotency_key_reused', 422],
  ['transaction_id_reused', 409],
  ['transfer_id_reused', 409],
  ['same_account', 422],
  ['transfer_leg_void', 409],
];

const unavailableRows: Array<[UnavailableCode, number]> = [
  ['mailbox_full', 503],
  ['command_timeout', 503],
  ['account_unavailable', 503],
  ['actors_exhausted', 503],
  ['node_overloaded', 503],
  ['shutting_down', 503],
  ['concurrency_conflict', 409],
];

describe('outcome → HTTP (outcomeResponse)', () => {
  it('has a row for every rejection code, business rules included, and nothing else', () => {
    expect(Object.keys(rejectionStatus).sort()).to.deep.equal(rejectionRows.map(([code]) => code).sort());
    for (const code of accountRejectionCodes) expect(rejectionStatus).to.have.property(code);
  });

  for (const [code, status] of rejectionRows) {
    it(`rejected ${code} → ${status} problem+json`, () => {
      const response = freshResponse({ kind: 'rejected', code, detail: 'why' });
      expect(response.status).to.equal(status);
      expect(response.body).to.deep.equal({ type: `urn:acta:problem:${code}`, title: response.body.title, status, detail: 'why', code });
    });
  }

  it('has a row for every unavailable code', () => {
    expect(Object.keys(unavailableAnswers).sort()).to.deep.equal(unavailableRows.map(([code]) => code).sort());
  });

  for (const [code, status] of unavailableRows) {
    it(`unavailable ${code} → ${status}`, () => {
      const response = freshResponse({ kind: 'unavailable', code, detail: 'retry' });
      expect([response.status, response.body.code, response.body.detail]).to.deep.equal([status, code, 'retry']);
    });
  }

  it('writes problem fields in the order clients have always received (type, title, status, detail, code, extras)', () => {
    const body = freshResponse({ kind: 'unavailable', code: 'mailbox_full', detail: 'd' }).body;
    expect(JSON.stringify(body)).to.equal(
      '{"type":"urn:acta:problem:mailbox_full","title":"Service Unavailable","status":503,"detail":"d","code":"mailbox_full","retryAfterSeconds":1}',
    );
  });

  it('answers accepted commands with the seed statuses: 201 open/deposit/withdraw, 200 freeze/unfreeze and legs, 202 transfer', () => {
    expect(acceptedStatus).to.deep.equal({
      OpenAccount: 201,
      DepositMoney: 201,
      WithdrawMoney: 201,
      FreezeAccount: 200,
      UnfreezeAccount: 200,
      PlaceHold: 200,
      CaptureHold: 200,
      ReleaseHold: 200,
      CreditTransfer: 200,
      RequestTransfer: 202,
    });
    const view = { accountId: 'a', version: 2 };
    expect(outcomeResponse({ kind: 'accepted', command: 'DepositMoney', view, version: 2 })).to.deep.equal({ status: 201, body: view });
  });

  it('replays a recorded response verbatim, and an in-flight original as it renders, both marked replayed', () => {
    const recorded = { status: 400, body: { code: 'insufficient_funds', extra: [1, 2] } };
    expect(outcomeResponse({ kind: 'replayed', original: recorded })).to.deep.equal({ ...recorded, replayed: true });
    const original: CommandOutcome = { kind: 'unavailable', code: 'command_timeout', detail: 'late' };
    expect(outcomeResponse(asReplay(original))).to.deep.equal({ ...freshResponse(original), replayed: true });
    // A repeat of a repeat replays the first original, not a replay of a replay.
    expect(asReplay(asReplay(original))).to.deep.equal({ kind: 'replayed', original });
  });
});
