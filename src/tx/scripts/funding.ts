/**
 * The funding output: a 2-of-2 multisig of both funding keys inside P2WSH.
 * BOLT 3 "Funding Transaction Output": the keys appear in lexicographic order of their compressed
 * encodings, so both peers build the same script without agreeing on who is first.
 */
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import { compareBytes } from '../../util/bytes.js';
import { assertPublicKey } from '../validation.js';
import { compileScript, Opcode } from './script.js';
import { p2wshScriptPubkey } from './templates.js';

/** The two funding keys in script order: `[pubkey1, pubkey2]` with `pubkey1` the lesser. */
export function sortFundingPubkeys(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return compareBytes(a, b) <= 0 ? [a, b] : [b, a];
}

/**
 * `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG` for the two funding keys (either order in, sorted
 * out). Both keys are checked to be valid curve points (`CryptoError` otherwise): this script is
 * built once per channel and locks all of its funds.
 */
export function fundingWitnessScript(
  localFundingPubkey: Uint8Array,
  remoteFundingPubkey: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  assertPublicKey(localFundingPubkey, 'localFundingPubkey', crypto);
  assertPublicKey(remoteFundingPubkey, 'remoteFundingPubkey', crypto);
  const [k1, k2] = sortFundingPubkeys(localFundingPubkey, remoteFundingPubkey);
  return compileScript([Opcode.OP_2, k1, k2, Opcode.OP_2, Opcode.OP_CHECKMULTISIG]);
}

/** The P2WSH scriptPubKey of the funding output. */
export function fundingScriptPubkey(
  localFundingPubkey: Uint8Array,
  remoteFundingPubkey: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  return p2wshScriptPubkey(
    fundingWitnessScript(localFundingPubkey, remoteFundingPubkey, crypto),
    crypto,
  );
}
