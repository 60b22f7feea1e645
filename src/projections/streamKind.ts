// Stream ids of one aggregate kind ("<kind>-<id>") as a projection reads them back from messages.
import { poison, PoisonCode } from './poisonEventError';

export interface StreamKind {
  owns(streamId: string): boolean;
  /** The id after the prefix; a PoisonEventError for a stream of another kind. */
  keyOf(streamId: string): string;
}

export function streamKind(prefix: string, foreignCode: PoisonCode, kindName: string): StreamKind {
  const owns = (streamId: string) => streamId.startsWith(prefix) && streamId.length > prefix.length;
  return {
    owns,
    keyOf: (streamId) => {
      if (!owns(streamId)) throw poison(foreignCode, `stream ${JSON.stringify(streamId)} is not ${kindName} stream`);
      return streamId.slice(prefix.length);
    },
  };
}
