// The read side of the composition root: the read models of the storage mode (Postgres or in
// memory), their rebuild tooling, the admin audit, and the version announcements read-your-writes
// waits on. The projectors that keep the read models start in startProjectors.ts.
import { ProjectionVersions } from '../app/projectionVersions';
import { MemoryAdminAudit } from '../infra/memory/memoryAdminAudit';
import { createMemoryProjectionRebuilder } from '../infra/memory/memoryProjectionRebuilder';
import { MemoryReadModel } from '../infra/memory/memoryReadModel';
import { MemoryTransferReadModel } from '../infra/memory/memoryTransferReadModel';
import { PostgresAdminAudit } from '../infra/postgres/readSide/postgresAdminAudit';
import { PostgresReadModel } from '../infra/postgres/readSide/postgresReadModel';
import { PostgresTransferReadModel } from '../infra/postgres/readSide/postgresTransferReadModel';
import { AdminAudit } from '../ports/adminAudit';
import { AccountReadModel } from '../ports/readModel';
import { TransferReadModel } from '../ports/transferReadModel';
import { AccountProjectionWriter } from '../projections/accounts/accountProjection';
import { ProjectionRebuilder } from '../projections/rebuild/projectionRebuilder';
import { createProjectionRebuilder } from '../infra/postgres/readSide/postgresProjectionRebuilder';
import { TransferProjectionWriter } from '../projections/transfers/transferProjection';
import { Storage } from './storage';

export interface ReadSide {
  readModel: AccountReadModel & AccountProjectionWriter;
  transferReadModel: TransferReadModel & TransferProjectionWriter;
  rebuilder: ProjectionRebuilder;
  audit: AdminAudit;
  /** What the account projector applied (read-your-writes waits on account reads). */
  versions: ProjectionVersions;
  /** What the transfer projector applied (read-your-writes waits on transfer reads). */
  transferVersions: ProjectionVersions;
}

export function openReadSide(storage: Storage): ReadSide {
  const readStream = storage.store.readStream.bind(storage.store);
  const versions = { versions: new ProjectionVersions(), transferVersions: new ProjectionVersions() };
  if (storage.pool) {
    return {
      readModel: new PostgresReadModel(storage.pool, readStream),
      transferReadModel: new PostgresTransferReadModel(storage.pool, readStream),
      rebuilder: createProjectionRebuilder({ pool: storage.pool, store: storage.store }),
      audit: new PostgresAdminAudit(storage.pool),
      ...versions,
    };
  }
  const readModel = new MemoryReadModel(readStream);
  const transferReadModel = new MemoryTransferReadModel(readStream);
  const rebuilder = createMemoryProjectionRebuilder({ readModel, transferReadModel, store: storage.store });
  return { readModel, transferReadModel, rebuilder, audit: new MemoryAdminAudit(), ...versions };
}
