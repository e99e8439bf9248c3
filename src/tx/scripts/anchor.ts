/**
 * Anchor outputs (`option_anchors`): 330 sat each, one per party, locked to that party's funding
 * key so it can bump the commitment fee with CPFP; after 16 blocks anyone may sweep it, which
 * keeps unspent anchors from polluting the UTXO set.
 *
 * BOLT 3 "`to_local_anchor` and `to_remote_anchor` Output (option_anchors)".
 */
import { assertCompressedKeyShape } from './keys-shape.js';
import { compileScript, Opcode } from './script.js';

/** `<funding_pubkey> OP_CHECKSIG OP_IFDUP OP_NOTIF OP_16 OP_CHECKSEQUENCEVERIFY OP_ENDIF`. */
export function anchorWitnessScript(fundingPubkey: Uint8Array): Uint8Array {
  assertCompressedKeyShape(fundingPubkey, 'fundingPubkey');
  return compileScript([
    fundingPubkey,
    Opcode.OP_CHECKSIG,
    Opcode.OP_IFDUP,
    Opcode.OP_NOTIF,
    Opcode.OP_16,
    Opcode.OP_CHECKSEQUENCEVERIFY,
    Opcode.OP_ENDIF,
  ]);
}
