/**
 * Witness stacks for every spend of a BOLT 3 output. Signatures go in as 64-byte compact
 * signatures (what `CryptoBackend.sign` and the wire give) and come out DER-encoded with their
 * sighash byte. The witness script, when there is one, is always the last item (BIP 141).
 *
 * The `<>` of BOLT 3 is an empty item, required by the MINIMALIF policy for a false branch.
 */
import { compareBytes } from '../../util/bytes.js';
import { assertChannelType, hasAnchors, type ChannelType } from '../channel-type.js';
import { encodeScriptSignature, SighashType } from '../signature-encoding.js';
import { assertBytesValue, assertLength } from '../validation.js';
import { assertCompressedKeyShape } from './keys-shape.js';

const EMPTY = new Uint8Array(0);
const TRUE = Uint8Array.of(1);

/** A witness: the stack items in order, bottom first. */
export type Witness = readonly Uint8Array[];

/**
 * Funding output (2-of-2) spend: `0 <sig for pubkey1> <sig for pubkey2> <script>`, with the
 * signatures in the order of their keys in the script (lexicographic), whatever side is local.
 * The leading empty item feeds OP_CHECKMULTISIG's extra pop.
 * BOLT 3 "Commitment Transaction" (`txin[0] witness`).
 */
export function fundingSpendWitness(args: {
  readonly localFundingPubkey: Uint8Array;
  readonly localSignature: Uint8Array;
  readonly remoteFundingPubkey: Uint8Array;
  readonly remoteSignature: Uint8Array;
  readonly witnessScript: Uint8Array;
}): Witness {
  assertCompressedKeyShape(args.localFundingPubkey, 'localFundingPubkey');
  assertCompressedKeyShape(args.remoteFundingPubkey, 'remoteFundingPubkey');
  const local = encodeScriptSignature(args.localSignature, SighashType.All);
  const remote = encodeScriptSignature(args.remoteSignature, SighashType.All);
  const localFirst = compareBytes(args.localFundingPubkey, args.remoteFundingPubkey) <= 0;
  return [
    EMPTY,
    localFirst ? local : remote,
    localFirst ? remote : local,
    assertBytesValue(args.witnessScript, 'witnessScript'),
  ];
}

/**
 * `to_local` (or HTLC transaction output) spent by its owner after `to_self_delay`:
 * `<local_delayedsig> <> <script>`. The spending input's nSequence must be `to_self_delay`.
 */
export function toLocalDelayedWitness(signature: Uint8Array, witnessScript: Uint8Array): Witness {
  return [
    encodeScriptSignature(signature),
    EMPTY,
    assertBytesValue(witnessScript, 'witnessScript'),
  ];
}

/** `to_local` (or HTLC transaction output) of a revoked commitment spent with the revocation
 * key: `<revocation_sig> 1 <script>`. */
export function toLocalRevokedWitness(signature: Uint8Array, witnessScript: Uint8Array): Witness {
  return [encodeScriptSignature(signature), TRUE, assertBytesValue(witnessScript, 'witnessScript')];
}

/** Anchors `to_remote`: `<remote_sig> <script>`, with nSequence 1 on the spending input. */
export function toRemoteAnchorsWitness(signature: Uint8Array, witnessScript: Uint8Array): Witness {
  return [encodeScriptSignature(signature), assertBytesValue(witnessScript, 'witnessScript')];
}

/** A P2WPKH spend (the non-anchor `to_remote`): `<sig> <pubkey>`. */
export function p2wpkhWitness(signature: Uint8Array, publicKey: Uint8Array): Witness {
  return [encodeScriptSignature(signature), assertCompressedKeyShape(publicKey, 'publicKey')];
}

/**
 * HTLC-success transaction input: `0 <remotehtlcsig> <localhtlcsig> <payment_preimage>
 * <script>`. With anchors the countersignatory's signature is SIGHASH_SINGLE|ANYONECANPAY.
 * BOLT 3 "HTLC-Timeout and HTLC-Success Transactions".
 */
export function htlcSuccessTxWitness(args: {
  readonly remoteSignature: Uint8Array;
  readonly localSignature: Uint8Array;
  readonly paymentPreimage: Uint8Array;
  readonly witnessScript: Uint8Array;
  readonly channelType: ChannelType;
}): Witness {
  return [
    EMPTY,
    encodeScriptSignature(args.remoteSignature, remoteHtlcSighash(args.channelType)),
    encodeScriptSignature(args.localSignature, SighashType.All),
    assertLength(args.paymentPreimage, 32, 'paymentPreimage'),
    assertBytesValue(args.witnessScript, 'witnessScript'),
  ];
}

/** HTLC-timeout transaction input: `0 <remotehtlcsig> <localhtlcsig> <> <script>`. */
export function htlcTimeoutTxWitness(args: {
  readonly remoteSignature: Uint8Array;
  readonly localSignature: Uint8Array;
  readonly witnessScript: Uint8Array;
  readonly channelType: ChannelType;
}): Witness {
  return [
    EMPTY,
    encodeScriptSignature(args.remoteSignature, remoteHtlcSighash(args.channelType)),
    encodeScriptSignature(args.localSignature, SighashType.All),
    EMPTY,
    assertBytesValue(args.witnessScript, 'witnessScript'),
  ];
}

/** Either HTLC output of a revoked commitment, taken by the countersignatory:
 * `<revocation_sig> <revocationpubkey> <script>`. */
export function htlcRevokedWitness(
  signature: Uint8Array,
  revocationPubkey: Uint8Array,
  witnessScript: Uint8Array,
): Witness {
  return [
    encodeScriptSignature(signature),
    assertCompressedKeyShape(revocationPubkey, 'revocationPubkey'),
    assertBytesValue(witnessScript, 'witnessScript'),
  ];
}

/** An offered HTLC output claimed directly by the countersignatory with the preimage:
 * `<remotehtlcsig> <payment_preimage> <script>` (nSequence 1 with anchors). */
export function offeredHtlcPreimageWitness(
  signature: Uint8Array,
  paymentPreimage: Uint8Array,
  witnessScript: Uint8Array,
): Witness {
  return [
    encodeScriptSignature(signature),
    assertLength(paymentPreimage, 32, 'paymentPreimage'),
    assertBytesValue(witnessScript, 'witnessScript'),
  ];
}

/** A received HTLC output taken back by the countersignatory after `cltv_expiry`:
 * `<remotehtlcsig> <> <script>` (locktime at least `cltv_expiry`; nSequence 1 with anchors). */
export function receivedHtlcTimeoutWitness(
  signature: Uint8Array,
  witnessScript: Uint8Array,
): Witness {
  return [
    encodeScriptSignature(signature),
    EMPTY,
    assertBytesValue(witnessScript, 'witnessScript'),
  ];
}

/** An anchor spent by its owner's funding key: `<sig> <script>`. */
export function anchorKeyWitness(signature: Uint8Array, witnessScript: Uint8Array): Witness {
  return [encodeScriptSignature(signature), assertBytesValue(witnessScript, 'witnessScript')];
}

/** An anchor swept by anyone 16 blocks after the commitment confirms: `<> <script>` (the
 * spending input's nSequence must be at least 16). */
export function anchorSweepWitness(witnessScript: Uint8Array): Witness {
  return [EMPTY, assertBytesValue(witnessScript, 'witnessScript')];
}

/** The sighash type of the countersignatory's HTLC transaction signatures (BOLT 3: SINGLE|
 * ANYONECANPAY with anchors, so fees can be attached; ALL otherwise). */
export function remoteHtlcSighash(channelType: ChannelType): number {
  return hasAnchors(assertChannelType(channelType))
    ? SighashType.SingleAnyoneCanPay
    : SighashType.All;
}
