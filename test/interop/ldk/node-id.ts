/**
 * Node ids handed to LDK. An invalid public key makes LDK panic inside WASM, which kills the one
 * instance every LDK node in the process shares, so keys are checked here first.
 */
import { Point } from '@noble/secp256k1';
import { hex } from '@scure/base';

/** Parses a 33-byte compressed public key in hex, rejecting anything that is not on the curve. */
export function parseNodeId(nodeIdHex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{66}$/.test(nodeIdHex)) {
    throw new Error(`node id: expected 66 hex characters, got ${JSON.stringify(nodeIdHex)}`);
  }
  const bytes = hex.decode(nodeIdHex.toLowerCase());
  try {
    Point.fromBytes(bytes);
  } catch (e) {
    throw new Error(`node id: not a valid secp256k1 point: ${nodeIdHex}`, { cause: e });
  }
  return bytes;
}
