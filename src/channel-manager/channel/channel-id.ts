/**
 * BOLT 2 "Definition of channel_id" (v1): the funding txid, as `funding_created` carries it
 * (internal byte order), with its last two bytes XORed with the big-endian funding output index.
 */
import { APIMisuseError } from '../../util/errors.js';

/** The v1 `channel_id` of funding output `outputIndex` of transaction `fundingTxid`. */
export function channelIdFromFunding(fundingTxid: Uint8Array, outputIndex: number): Uint8Array {
  if (!(fundingTxid instanceof Uint8Array) || fundingTxid.length !== 32) {
    throw new APIMisuseError('fundingTxid: expected 32 bytes');
  }
  if (!Number.isInteger(outputIndex) || outputIndex < 0 || outputIndex > 0xffff) {
    throw new APIMisuseError(`outputIndex: expected a u16, got ${outputIndex}`);
  }
  const id = fundingTxid.slice();
  id[30] = id[30]! ^ (outputIndex >> 8);
  id[31] = id[31]! ^ (outputIndex & 0xff);
  return id;
}
