// The one snapshot store contract, run against every adapter.
import { expect } from 'chai';
import { Snapshot, SnapshotStore } from '../../src/ports/snapshotStore';
import { streamId, timestamp } from './fixtures';

function snapshot(stream: string, version: number, schemaVersion = 1): Snapshot {
  return { streamId: stream, version, schemaVersion, state: { balance: version * 10, status: 'ACTIVE', nested: { v: version } }, createdAt: timestamp() };
}

export function snapshotStoreContract(setup: () => Promise<SnapshotStore>): void {
  describe('snapshot store contract', () => {
    let snapshots: SnapshotStore;

    beforeEach(async () => {
      snapshots = await setup();
    });

    it('loads null for a stream without a snapshot', async () => {
      expect(await snapshots.load(streamId())).to.equal(null);
    });

    it('round-trips a snapshot exactly', async () => {
      const saved = snapshot(streamId(), 7, 3);
      await snapshots.save(saved);
      expect(await snapshots.load(saved.streamId)).to.deep.equal(saved);
    });

    it('replaces a snapshot with a newer version', async () => {
      const stream = streamId();
      await snapshots.save(snapshot(stream, 5));
      const newer = snapshot(stream, 9);
      await snapshots.save(newer);
      expect(await snapshots.load(stream)).to.deep.equal(newer);
    });

    it('never lets an older version overwrite a newer one', async () => {
      const stream = streamId();
      const newer = snapshot(stream, 9);
      await snapshots.save(newer);
      await snapshots.save(snapshot(stream, 5, 2));
      await snapshots.save(snapshot(stream, 9, 1));
      expect(await snapshots.load(stream)).to.deep.equal(newer);
    });

    it('lets a newer schema replace the same version', async () => {
      const stream = streamId();
      await snapshots.save(snapshot(stream, 9, 1));
      const reshaped = snapshot(stream, 9, 2);
      await snapshots.save(reshaped);
      expect(await snapshots.load(stream)).to.deep.equal(reshaped);
    });

    it('keeps snapshots of different streams apart', async () => {
      const [a, b] = [snapshot(streamId(), 1), snapshot(streamId(), 2)];
      await snapshots.save(a);
      await snapshots.save(b);
      expect(await snapshots.load(a.streamId)).to.deep.equal(a);
      expect(await snapshots.load(b.streamId)).to.deep.equal(b);
    });
  });
}
