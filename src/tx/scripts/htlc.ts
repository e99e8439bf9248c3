/**
 * HTLC output scripts of a commitment transaction, named from the broadcaster's side: an
 * *offered* HTLC is one the broadcaster sends (it times out through an HTLC-timeout transaction),
 * a *received* HTLC one it receives (it claims it with the preimage through an HTLC-success
 * transaction). The countersignatory can always take either with the revocation key, or directly
 * with the preimage (offered) or after `cltv_expiry` (received).
 *
 * With anchors both scripts end the non-revocation branch with `1 OP_CHECKSEQUENCEVERIFY
 * OP_DROP`, so the countersignatory's direct claims cannot be chained unconfirmed (pinning).
 *
 * BOLT 3 "Offered HTLC Outputs" and "Received HTLC Outputs".
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import { assertChannelType, hasAnchors, type ChannelType } from '../channel-type.js';
import { assertLength, assertUint, U32_MAX } from '../validation.js';
import { assertCompressedKeyShape } from './keys-shape.js';
import { compileScript, Opcode, pushNumber, type ScriptChunk } from './script.js';

/** The keys an HTLC script locks to, from the broadcaster's point of view. */
export interface HtlcScriptKeys {
  readonly revocationPubkey: Uint8Array;
  readonly localHtlcPubkey: Uint8Array;
  readonly remoteHtlcPubkey: Uint8Array;
}

function checkKeys(keys: HtlcScriptKeys): void {
  assertCompressedKeyShape(keys.revocationPubkey, 'revocationPubkey');
  assertCompressedKeyShape(keys.localHtlcPubkey, 'localHtlcPubkey');
  assertCompressedKeyShape(keys.remoteHtlcPubkey, 'remoteHtlcPubkey');
}

function anchorsTail(channelType: ChannelType): ScriptChunk[] {
  return hasAnchors(channelType)
    ? [Opcode.OP_1, Opcode.OP_CHECKSEQUENCEVERIFY, Opcode.OP_DROP]
    : [];
}

/**
 * The offered HTLC witness script. `paymentHash` is the 32-byte SHA256 payment hash; the script
 * holds its RIPEMD160.
 */
export function offeredHtlcWitnessScript(
  keys: HtlcScriptKeys,
  paymentHash: Uint8Array,
  channelType: ChannelType,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  checkKeys(keys);
  assertLength(paymentHash, 32, 'paymentHash');
  assertChannelType(channelType);
  return compileScript([
    Opcode.OP_DUP,
    Opcode.OP_HASH160,
    crypto.hash160(keys.revocationPubkey),
    Opcode.OP_EQUAL,
    Opcode.OP_IF,
    Opcode.OP_CHECKSIG,
    Opcode.OP_ELSE,
    keys.remoteHtlcPubkey,
    Opcode.OP_SWAP,
    Opcode.OP_SIZE,
    pushNumber(32),
    Opcode.OP_EQUAL,
    Opcode.OP_NOTIF,
    Opcode.OP_DROP,
    Opcode.OP_2,
    Opcode.OP_SWAP,
    keys.localHtlcPubkey,
    Opcode.OP_2,
    Opcode.OP_CHECKMULTISIG,
    Opcode.OP_ELSE,
    Opcode.OP_HASH160,
    crypto.ripemd160(paymentHash),
    Opcode.OP_EQUALVERIFY,
    Opcode.OP_CHECKSIG,
    Opcode.OP_ENDIF,
    ...anchorsTail(channelType),
    Opcode.OP_ENDIF,
  ]);
}

/**
 * The received HTLC witness script. `cltvExpiry` is the HTLC's absolute block height (u32) after
 * which the countersignatory may take the output back.
 */
export function receivedHtlcWitnessScript(
  keys: HtlcScriptKeys,
  paymentHash: Uint8Array,
  cltvExpiry: number,
  channelType: ChannelType,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  checkKeys(keys);
  assertLength(paymentHash, 32, 'paymentHash');
  assertUint(cltvExpiry, U32_MAX, 'cltvExpiry');
  assertChannelType(channelType);
  return compileScript([
    Opcode.OP_DUP,
    Opcode.OP_HASH160,
    crypto.hash160(keys.revocationPubkey),
    Opcode.OP_EQUAL,
    Opcode.OP_IF,
    Opcode.OP_CHECKSIG,
    Opcode.OP_ELSE,
    keys.remoteHtlcPubkey,
    Opcode.OP_SWAP,
    Opcode.OP_SIZE,
    pushNumber(32),
    Opcode.OP_EQUAL,
    Opcode.OP_IF,
    Opcode.OP_HASH160,
    crypto.ripemd160(paymentHash),
    Opcode.OP_EQUALVERIFY,
    Opcode.OP_2,
    Opcode.OP_SWAP,
    keys.localHtlcPubkey,
    Opcode.OP_2,
    Opcode.OP_CHECKMULTISIG,
    Opcode.OP_ELSE,
    Opcode.OP_DROP,
    pushNumber(cltvExpiry),
    Opcode.OP_CHECKLOCKTIMEVERIFY,
    Opcode.OP_DROP,
    Opcode.OP_CHECKSIG,
    Opcode.OP_ENDIF,
    ...anchorsTail(channelType),
    Opcode.OP_ENDIF,
  ]);
}
