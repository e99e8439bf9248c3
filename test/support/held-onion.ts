/**
 * A real one-hop payment onion to `toNodeId` for tests that drive HTLCs through the manager's
 * internal hooks: the receiver peels it into a payment to itself and holds it until
 * `processPendingHtlcForwards`, which such tests never call, so the HTLC stays for the test to
 * claim or let expire.
 */
import { constructPaymentOnion } from '../../src/onion/payment-onion.js';
import { fromHex } from '../../src/util/bytes.js';
import { nobleBackend } from '../../src/crypto/noble.js';

export function heldOnion(
  toNodeId: string,
  paymentHash: Uint8Array,
  amountMsat: bigint,
  cltvExpiry: number,
): Uint8Array {
  const sessionKey = nobleBackend.sha256(Uint8Array.of(0x5e, ...paymentHash));
  return constructPaymentOnion(
    [
      {
        nodeId: fromHex(toNodeId, 33),
        payload: { amtToForwardMsat: amountMsat, outgoingCltvValue: cltvExpiry },
      },
    ],
    sessionKey,
    paymentHash,
  ).packet;
}
