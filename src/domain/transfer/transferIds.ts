// Ids the transfer process derives from a transfer id. They all start with `~`, which the gateway's
// id pattern refuses, so no client can take or replay them.

export type TransferLeg = 'hold' | 'credit';
export type TransferStepName = 'hold' | 'credit' | 'capture' | 'release';

export const derivedIdPrefix = '~';

export function holdIdOf(transferId: string): string {
  return `${derivedIdPrefix}transfer:${transferId}`;
}

/** The Idempotency-Key of one step's account command: a repeat of the step replays its outcome. */
export function stepKeyOf(transferId: string, step: TransferStepName): string {
  return `${derivedIdPrefix}transfer:${transferId}:${step}`;
}

/** The transaction id of a leg that moves or reserves money; it is also the leg's fence (see transferDecider). */
export function legTransactionIdOf(transferId: string, leg: TransferLeg): string {
  return `${derivedIdPrefix}transfer:${transferId}:${leg}`;
}

export function transferStreamId(transferId: string): string {
  return `transfer-${transferId}`;
}
