// The CTE both append statements use to number this transaction's global positions: positions
// are tx id * positionsPerTransaction + 1, + 2, ... so position order equals transaction order
// (see migrations.ts), continuing after any rows this transaction already wrote.
import { positionsPerTransaction } from '../schema/writeSideMigrations';

export const positionBaseCte = `position_base as (
  select coalesce(max(e.global_position), t.base) as last_position
  from (select pg_current_xact_id()::text::bigint * ${positionsPerTransaction} as base) t
  left join events e on e.global_position > t.base and e.global_position < t.base + ${positionsPerTransaction}
  group by t.base
)`;
