/**
 * Checks on `ChannelParameters`, and the two scripts an `InMemorySigner` recognises before it
 * signs with the funding key: the funding output's 2-of-2 and our anchor output. Checking them
 * keeps the funding key from signing a spend of anything else (BOLT 3 "Funding Transaction
 * Output" and "to_local_anchor and to_remote_anchor Output").
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { compareBytes, concatBytes, fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import type { ChannelParameters } from './channel-signer.js';
import { U16_MAX, assertPoint, assertUint } from './checks.js';

// Script opcodes for the two scripts the funding key may sign for.
const OP_2 = 0x52;
const OP_16 = 0x60;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKSIG = 0xac;
const OP_IFDUP = 0x73;
const OP_NOTIF = 0x64;
const OP_CHECKSEQUENCEVERIFY = 0xb2;
const OP_ENDIF = 0x68;
const PUSH_33 = 0x21;

/** BOLT 3 funding output script: `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, keys sorted. */
export function fundingScript(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [k1, k2] = compareBytes(a, b) < 0 ? [a, b] : [b, a];
  return concatBytes(
    Uint8Array.of(OP_2, PUSH_33),
    k1,
    Uint8Array.of(PUSH_33),
    k2,
    Uint8Array.of(OP_2, OP_CHECKMULTISIG),
  );
}

/** BOLT 3 anchor script: `<funding_pubkey> OP_CHECKSIG OP_IFDUP OP_NOTIF OP_16 OP_CSV OP_ENDIF`. */
export function anchorScript(fundingPubkey: Uint8Array): Uint8Array {
  return concatBytes(
    Uint8Array.of(PUSH_33),
    fundingPubkey,
    Uint8Array.of(OP_CHECKSIG, OP_IFDUP, OP_NOTIF, OP_16, OP_CHECKSEQUENCEVERIFY, OP_ENDIF),
  );
}

export function validateParameters(p: ChannelParameters, crypto: CryptoBackend): void {
  if (typeof p !== 'object' || p === null) {
    throw new APIMisuseError('channel parameters: expected an object');
  }
  const keys = p.counterpartyPubkeys;
  if (typeof keys !== 'object' || keys === null) {
    throw new APIMisuseError('counterpartyPubkeys: expected an object');
  }
  assertPoint(keys.fundingPubkey, 'counterparty fundingPubkey', crypto);
  assertPoint(keys.revocationBasepoint, 'counterparty revocationBasepoint', crypto);
  assertPoint(keys.paymentBasepoint, 'counterparty paymentBasepoint', crypto);
  assertPoint(keys.delayedPaymentBasepoint, 'counterparty delayedPaymentBasepoint', crypto);
  assertPoint(keys.htlcBasepoint, 'counterparty htlcBasepoint', crypto);
  if (typeof p.isOutbound !== 'boolean') throw new APIMisuseError('isOutbound: expected boolean');
  assertUint(p.holderToSelfDelay, U16_MAX, 'holderToSelfDelay');
  assertUint(p.counterpartyToSelfDelay, U16_MAX, 'counterpartyToSelfDelay');
  if (typeof p.fundingOutpoint !== 'object' || p.fundingOutpoint === null) {
    throw new APIMisuseError('fundingOutpoint: expected an object');
  }
  const txid = p.fundingOutpoint.txid;
  if (typeof txid !== 'string' || txid !== txid.toLowerCase()) {
    throw new DecodeError('fundingOutpoint.txid: expected lowercase hex');
  }
  fromHex(txid, 32, 'fundingOutpoint.txid');
  // BOLT 2 `funding_created.funding_output_index` is a u16.
  assertUint(p.fundingOutpoint.outputIndex, U16_MAX, 'fundingOutpoint.outputIndex');
  if (p.channelType !== 'static_remotekey' && p.channelType !== 'anchors_zero_fee_htlc_tx') {
    throw new APIMisuseError(`channelType: unknown type ${String(p.channelType)}`);
  }
}

/** A canonical string of the parameters, to tell a repeated call from a conflicting one. */
export function parametersKey(p: ChannelParameters): string {
  const k = p.counterpartyPubkeys;
  return [
    toHex(k.fundingPubkey),
    toHex(k.revocationBasepoint),
    toHex(k.paymentBasepoint),
    toHex(k.delayedPaymentBasepoint),
    toHex(k.htlcBasepoint),
    p.isOutbound,
    p.holderToSelfDelay,
    p.counterpartyToSelfDelay,
    p.fundingOutpoint.txid,
    p.fundingOutpoint.outputIndex,
    p.channelType,
  ].join(':');
}
