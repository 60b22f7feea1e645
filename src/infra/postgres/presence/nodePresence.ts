// A node's own lock-backed owner (kind `node`), recorded in node_owners with the node's id and HTTP
// address: while it lives, the database lists the node as alive. If its connection drops, a new
// owner is acquired (the node is still alive; only its session ended), every ownerRetryMs, until
// release().
import type { Pool } from 'pg';
import { limits } from '../../../config/limits';
import { Logger } from '../../logger';
import { PostgresOwner, acquireOwnerPresence } from './ownerPresence';

export interface NodePresence {
  release(): Promise<void>;
}

export async function announceNode(pool: Pool, node: { nodeId: string; address: string }, logger: Logger): Promise<NodePresence> {
  let released = false;
  let current: PostgresOwner | null = null;
  let retry: NodeJS.Timeout | null = null;
  const acquire = async (): Promise<void> => {
    current = await acquireOwnerPresence(pool, 'node', {
      node,
      onLost: (error) => {
        logger.warn({ err: error }, 'node presence lost its connection; announcing the node again');
        schedule();
      },
    });
  };
  const schedule = (): void => {
    if (released) return;
    retry = setTimeout(() => {
      acquire().catch((error: unknown) => {
        logger.warn({ err: error }, 'could not announce the node; retrying');
        schedule();
      });
    }, limits.nodePresenceRetryMs);
    retry.unref();
  };
  await acquire();
  return {
    release: async () => {
      released = true;
      if (retry) clearTimeout(retry);
      await current?.release();
    },
  };
}
