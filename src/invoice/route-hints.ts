/**
 * Route hints (the `r` field): a private route from a public node to the payee, one 51-byte entry
 * per channel, in forward order. Each entry names the node at the start of the channel and the
 * fees and CLTV delta that node charges, as its `channel_update` would (BOLT 7).
 *
 * See BOLT 11, "Tagged Fields" (`r`).
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import type { ShortChannelId } from '../wire/short-channel-id.js';
import { WireWriter } from '../wire/writer.js';

/** pubkey (33) + short_channel_id (8) + fee_base_msat (4) + fee_proportional_millionths (4) + cltv_expiry_delta (2). */
export const ROUTE_HINT_HOP_LENGTH = 51;

export interface RouteHintHop {
  /** Node id (lowercase hex, 33 bytes) of the node at the start of the channel. */
  readonly pubkey: string;
  readonly shortChannelId: ShortChannelId;
  /** u32. */
  readonly feeBaseMsat: number;
  /** u32. */
  readonly feeProportionalMillionths: number;
  /** u16, in blocks. */
  readonly cltvExpiryDelta: number;
}

/** One `r` field: the hops of one private route, first hop first. */
export type RouteHint = readonly RouteHintHop[];

/**
 * Reads the hops of one `r` field. Returns a string saying what is wrong when `bytes` is not a
 * whole, non-zero number of entries or a node id is not a valid point.
 */
export function decodeRouteHint(bytes: Uint8Array, crypto: CryptoBackend): RouteHintHop[] | string {
  if (bytes.length === 0 || bytes.length % ROUTE_HINT_HOP_LENGTH !== 0) {
    return `${bytes.length} bytes is not a whole number of ${ROUTE_HINT_HOP_LENGTH}-byte hops`;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hops: RouteHintHop[] = [];
  for (let off = 0; off < bytes.length; off += ROUTE_HINT_HOP_LENGTH) {
    const pubkey = bytes.subarray(off, off + 33);
    if (!crypto.isValidPublicKey(pubkey) || (pubkey[0] !== 2 && pubkey[0] !== 3)) {
      return `hop ${hops.length}: pubkey is not a valid compressed point`;
    }
    hops.push({
      pubkey: toHex(pubkey),
      shortChannelId: view.getBigUint64(off + 33),
      feeBaseMsat: view.getUint32(off + 41),
      feeProportionalMillionths: view.getUint32(off + 45),
      cltvExpiryDelta: view.getUint16(off + 49),
    });
  }
  return hops;
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/**
 * The bytes of one `r` field. Throws `APIMisuseError` for an empty route, a node id that is not
 * 33-byte hex, or a number out of its range.
 */
export function encodeRouteHint(hops: RouteHint): Uint8Array {
  if (!isNonEmptyArray(hops)) throw new APIMisuseError('route hint: expected at least one hop');
  const w = new WireWriter(hops.length * ROUTE_HINT_HOP_LENGTH);
  hops.forEach((hop, i) => {
    let pubkey: Uint8Array;
    try {
      pubkey = fromHex(hop.pubkey, 33, `route hint hop ${i} pubkey`);
    } catch (e) {
      throw new APIMisuseError(`route hint hop ${i}: pubkey must be 33-byte hex`, { cause: e });
    }
    w.point(pubkey, `route hint hop ${i} pubkey`);
    w.shortChannelId(hop.shortChannelId, `route hint hop ${i} shortChannelId`);
    w.u32(hop.feeBaseMsat, `route hint hop ${i} feeBaseMsat`);
    w.u32(hop.feeProportionalMillionths, `route hint hop ${i} feeProportionalMillionths`);
    w.u16(hop.cltvExpiryDelta, `route hint hop ${i} cltvExpiryDelta`);
  });
  return w.finish();
}
