// The JSON form the BOLT 4 route-blinding vectors give encrypted_data_tlv records in, turned
// into boltkit's records: short_channel_id as BLOCKxTXxOUTPUT, allowed_features as feature bits,
// unknown_tag_N as custom records.
import type { EncryptedData } from '../../src/onion/encrypted-data.js';
import { Features } from '../../src/wire/features.js';
import { parseShortChannelId } from '../../src/wire/short-channel-id.js';
import type { TlvRecord } from '../../src/wire/tlv.js';
import { hex } from './helpers.js';

export interface JsonTlvs {
  padding?: string;
  short_channel_id?: string;
  next_node_id?: string;
  path_id?: string;
  next_path_key_override?: string;
  payment_relay?: {
    cltv_expiry_delta: number;
    fee_proportional_millionths: number;
    fee_base_msat?: number;
  };
  payment_constraints?: { max_cltv_expiry: number; htlc_minimum_msat: number };
  allowed_features?: { features: number[] };
  [unknown: `unknown_tag_${number}`]: string;
}

/** The vector's JSON form of an encrypted_data_tlv as boltkit's record and custom records. */
export function fromJson(t: JsonTlvs): { data: EncryptedData; unknown: TlvRecord[] } {
  const data: EncryptedData = {
    ...(t.padding === undefined ? {} : { padding: hex(t.padding) }),
    ...(t.short_channel_id === undefined
      ? {}
      : { shortChannelId: parseShortChannelId(t.short_channel_id) }),
    ...(t.next_node_id === undefined ? {} : { nextNodeId: hex(t.next_node_id) }),
    ...(t.path_id === undefined ? {} : { pathId: hex(t.path_id) }),
    ...(t.next_path_key_override === undefined
      ? {}
      : { nextPathKeyOverride: hex(t.next_path_key_override) }),
    ...(t.payment_relay === undefined
      ? {}
      : {
          paymentRelay: {
            cltvExpiryDelta: t.payment_relay.cltv_expiry_delta,
            feeProportionalMillionths: t.payment_relay.fee_proportional_millionths,
            feeBaseMsat: t.payment_relay.fee_base_msat ?? 0,
          },
        }),
    ...(t.payment_constraints === undefined
      ? {}
      : {
          paymentConstraints: {
            maxCltvExpiry: t.payment_constraints.max_cltv_expiry,
            htlcMinimumMsat: BigInt(t.payment_constraints.htlc_minimum_msat),
          },
        }),
    ...(t.allowed_features === undefined
      ? {}
      : { allowedFeatures: Features.fromBits(t.allowed_features.features).toBytes() }),
  };
  const unknown = Object.entries(t)
    .filter(([k]) => k.startsWith('unknown_tag_'))
    .map(([k, v]) => ({ type: BigInt(k.slice('unknown_tag_'.length)), value: hex(v as string) }));
  return { data, unknown };
}
