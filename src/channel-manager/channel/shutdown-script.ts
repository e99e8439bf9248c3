/**
 * The `scriptpubkey` forms BOLT 2 allows in `shutdown` (and so in `upfront_shutdown_script`):
 * only standard segwit outputs, so a mutual close always propagates.
 *
 * BOLT 2 "Closing Initiation: shutdown".
 */

const OP_0 = 0x00;
const OP_1 = 0x51;
const OP_16 = 0x60;

/**
 * True for `OP_0 <20 bytes>` (P2WPKH) and `OP_0 <32 bytes>` (P2WSH), and, when
 * `option_shutdown_anysegwit` was negotiated, `OP_1`..`OP_16` followed by one push of 2 to 40
 * bytes (future witness versions, taproot among them).
 */
export function isValidShutdownScript(script: Uint8Array, anySegwit: boolean): boolean {
  if (!(script instanceof Uint8Array) || script.length < 4) return false;
  const version = script[0]!;
  const pushLength = script[1]!;
  if (script.length !== pushLength + 2) return false;
  if (version === OP_0) return pushLength === 20 || pushLength === 32;
  if (anySegwit && version >= OP_1 && version <= OP_16) {
    return pushLength >= 2 && pushLength <= 40;
  }
  return false;
}
