/**
 * What a failure coming back says about the path it took (BOLT 4 "Returning Errors", as the
 * origin node): which hop sent it, whether the payee refused the payment for good, and which
 * channels to avoid on the next attempt (the failing node's outgoing channel, or both of its
 * channels for a NODE failure).
 */
import type { DecodedFailure } from '../../onion/failure.js';
import { FailureCode, FailureFlag } from '../../onion/failure-codes.js';
import type { Path } from '../../routing/route.js';

export interface Blame {
  readonly permanent: boolean;
  readonly scids: readonly bigint[];
  readonly failingNodeId: string | undefined;
  readonly failureCode: number | undefined;
  readonly failureData: Uint8Array | undefined;
}

/** What a decoded failure says about the path (BOLT 4 "Returning Errors", origin node). */
export function blame(
  path: Path,
  failure: DecodedFailure,
  malformedCode: number | undefined,
): Blame {
  const hops = path.hops;
  const last = hops.length - 1;
  if (malformedCode !== undefined) {
    // Our peer could not read the onion we built: avoid that first channel.
    return {
      permanent: false,
      scids: [hops[0]!.shortChannelId],
      failingNodeId: hops[0]?.pubkey,
      failureCode: malformedCode,
      failureData: undefined,
    };
  }
  if (failure.kind !== 'attributed') {
    const i = failure.kind === 'malformed' ? failure.failingHopIndex : failure.suspectHopIndex;
    const scid =
      i === undefined ? hops[0]!.shortChannelId : hops[Math.min(i, last)]!.shortChannelId;
    return {
      permanent: false,
      scids: [scid],
      failingNodeId: i === undefined ? undefined : hops[Math.min(i, last)]?.pubkey,
      failureCode: undefined,
      failureData: undefined,
    };
  }
  const i = Math.min(failure.failingHopIndex, last);
  const code = failure.failureCode;
  const node = hops[i]!;
  if (i === last) {
    // The payee answered: only mpp_timeout is worth another try.
    return {
      permanent: code !== FailureCode.mppTimeout,
      scids: [],
      failingNodeId: node.pubkey,
      failureCode: code,
      failureData: failure.data,
    };
  }
  const next = hops[i + 1]!.shortChannelId;
  const scids = (code & FailureFlag.Node) !== 0 ? [node.shortChannelId, next] : [next];
  return {
    permanent: false,
    scids,
    failingNodeId: node.pubkey,
    failureCode: code,
    failureData: failure.data,
  };
}
