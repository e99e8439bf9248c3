/**
 * The `to_remote` output. Without anchors it is a plain P2WPKH to `remotepubkey` (which with
 * `option_static_remotekey` is the countersignatory's payment basepoint itself). With anchors it
 * is a P2WSH that adds a one-block CSV, so that the countersignatory cannot use this output to
 * pin the commitment with a low-fee child (only the anchors may be spent unconfirmed).
 *
 * BOLT 3 "`to_remote` Output".
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import { assertChannelType, hasAnchors, type ChannelType } from '../channel-type.js';
import { assertCompressedKeyShape } from './keys-shape.js';
import { compileScript, Opcode } from './script.js';
import { p2wpkhScriptPubkey, p2wshScriptPubkey } from './templates.js';

/** Anchors only: `<remotepubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY`. */
export function toRemoteAnchorsWitnessScript(remotePubkey: Uint8Array): Uint8Array {
  assertCompressedKeyShape(remotePubkey, 'remotePubkey');
  return compileScript([
    remotePubkey,
    Opcode.OP_CHECKSIGVERIFY,
    Opcode.OP_1,
    Opcode.OP_CHECKSEQUENCEVERIFY,
  ]);
}

/**
 * The `to_remote` output script for `channelType`: its scriptPubKey, and for anchors the witness
 * script a spender needs (`undefined` for P2WPKH).
 */
export function toRemoteOutputScript(
  remotePubkey: Uint8Array,
  channelType: ChannelType,
  crypto: CryptoBackend = nobleBackend,
): { scriptPubkey: Uint8Array; witnessScript: Uint8Array | undefined } {
  assertChannelType(channelType);
  if (hasAnchors(channelType)) {
    const witnessScript = toRemoteAnchorsWitnessScript(remotePubkey);
    return { scriptPubkey: p2wshScriptPubkey(witnessScript, crypto), witnessScript };
  }
  return { scriptPubkey: p2wpkhScriptPubkey(remotePubkey, crypto), witnessScript: undefined };
}
