/**
 * The `to_local` script, also used for the single output of HTLC-success and HTLC-timeout
 * transactions: the broadcaster's funds wait `to_self_delay` blocks (CSV) so that the
 * countersignatory can take them with the revocation key if this commitment was revoked.
 *
 * BOLT 3 "`to_local` Output" and "HTLC-Timeout and HTLC-Success Transactions".
 */
import { assertUint, U16_MAX } from '../validation.js';
import { assertCompressedKeyShape } from './keys-shape.js';
import { compileScript, Opcode, pushNumber } from './script.js';

/**
 * `OP_IF <revocationpubkey> OP_ELSE <to_self_delay> OP_CHECKSEQUENCEVERIFY OP_DROP
 * <local_delayedpubkey> OP_ENDIF OP_CHECKSIG`.
 *
 * `toSelfDelay` is the delay in blocks the counterparty imposed on the broadcaster (u16, from
 * `open_channel`/`accept_channel`).
 */
export function toLocalWitnessScript(
  revocationPubkey: Uint8Array,
  toSelfDelay: number,
  localDelayedPubkey: Uint8Array,
): Uint8Array {
  assertCompressedKeyShape(revocationPubkey, 'revocationPubkey');
  assertCompressedKeyShape(localDelayedPubkey, 'localDelayedPubkey');
  assertUint(toSelfDelay, U16_MAX, 'toSelfDelay');
  return compileScript([
    Opcode.OP_IF,
    revocationPubkey,
    Opcode.OP_ELSE,
    pushNumber(toSelfDelay),
    Opcode.OP_CHECKSEQUENCEVERIFY,
    Opcode.OP_DROP,
    localDelayedPubkey,
    Opcode.OP_ENDIF,
    Opcode.OP_CHECKSIG,
  ]);
}
