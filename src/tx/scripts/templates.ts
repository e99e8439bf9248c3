/**
 * Standard segwit v0 output templates (BIP 141): P2WSH commits to the SHA256 of a witness
 * script, P2WPKH to the HASH160 of a compressed public key. Every commitment, HTLC and anchor
 * output in BOLT 3 is one of these two.
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import { equalBytes } from '../../util/bytes.js';
import { assertBytesValue } from '../validation.js';
import { assertCompressedKeyShape } from './keys-shape.js';
import { Opcode } from './script.js';

/** `OP_0 <32-byte SHA256(witnessScript)>`: the scriptPubKey of a P2WSH output. */
export function p2wshScriptPubkey(
  witnessScript: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertBytesValue(witnessScript, 'witnessScript');
  const out = new Uint8Array(34);
  out[0] = Opcode.OP_0;
  out[1] = 32;
  out.set(crypto.sha256(witnessScript), 2);
  return out;
}

/** `OP_0 <20-byte HASH160(publicKey)>`: the scriptPubKey of a P2WPKH output. */
export function p2wpkhScriptPubkey(
  publicKey: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertCompressedKeyShape(publicKey, 'publicKey');
  const out = new Uint8Array(22);
  out[0] = Opcode.OP_0;
  out[1] = 20;
  out.set(crypto.hash160(publicKey), 2);
  return out;
}

/** True when `scriptPubkey` is a P2WSH output paying to exactly `witnessScript`. */
export function isP2wshOf(
  scriptPubkey: Uint8Array,
  witnessScript: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): boolean {
  return equalBytes(scriptPubkey, p2wshScriptPubkey(witnessScript, crypto));
}

/** True for any version-0 witness program (P2WPKH or P2WSH). */
export function isWitnessV0Program(scriptPubkey: Uint8Array): boolean {
  return (
    (scriptPubkey.length === 22 || scriptPubkey.length === 34) &&
    scriptPubkey[0] === Opcode.OP_0 &&
    scriptPubkey[1] === scriptPubkey.length - 2
  );
}
