/** Small pure helpers of the `ChannelManager`: id parsing, message ids, closure reasons. */
import type { ClosureReason } from '../events/closure-reason.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import type { Message } from '../wire/message.js';
import type { ClosureKind } from './channel/events.js';

const CHANNEL_ID = /^[0-9a-f]{64}$/;
const NODE_ID = /^0[23][0-9a-f]{64}$/;

/** Checks a lowercase hex channel id (32 bytes); `APIMisuseError` otherwise. */
export function parseChannelIdHex(value: unknown): string {
  if (typeof value !== 'string' || !CHANNEL_ID.test(value)) {
    throw new APIMisuseError('channel id: expected 64 lowercase hex characters');
  }
  return value;
}

/** Checks a lowercase hex node id (33-byte compressed key); `APIMisuseError` otherwise. */
export function parseNodeIdHex(value: unknown): string {
  if (typeof value !== 'string' || !NODE_ID.test(value)) {
    throw new APIMisuseError('node id: expected 66 lowercase hex characters (compressed key)');
  }
  return value;
}

/**
 * Checks a 32-byte value given as lowercase hex at the API (payment hash, preimage, payment id)
 * and returns its bytes; `APIMisuseError` otherwise.
 */
export function parseHex32(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || !CHANNEL_ID.test(value)) {
    throw new APIMisuseError(`${what}: expected 64 lowercase hex characters`);
  }
  return fromHex(value, 32, what);
}

/** The (temporary) channel id a channel message names, lowercase hex. */
export function channelIdOf(m: Message): string | undefined {
  if ('channelId' in m && m.channelId instanceof Uint8Array) return toHex(m.channelId);
  if ('temporaryChannelId' in m && m.temporaryChannelId instanceof Uint8Array) {
    return toHex(m.temporaryChannelId);
  }
  return undefined;
}

/** The peer's error or warning text, printable ASCII only (BOLT 1: it may be anything). */
export function peerText(data: Uint8Array): string {
  let s = '';
  for (const b of data.subarray(0, 200)) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  return s;
}

/** The `ClosureReason` for a channel's own closure kind, unless the manager knows better. */
export function closureReasonOf(
  kind: ClosureKind,
  reason: string,
  known: ClosureReason | undefined,
): ClosureReason {
  if (known !== undefined) return known;
  switch (kind) {
    case 'CooperativeClosure':
      return { type: 'CooperativeClosure', locallyInitiated: false };
    case 'HolderForceClosed':
      return { type: 'ProcessingError', err: reason };
    case 'CounterpartyForceClosed':
      return { type: 'CounterpartyForceClosed', peerMsg: reason };
    case 'FundingAborted':
      return { type: 'ProcessingError', err: reason };
    case 'DataLossProven':
      return { type: 'HolderDataLoss' };
  }
}
