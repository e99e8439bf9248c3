/**
 * BOLT 4 onion routing: building a whole 20-hop payment onion, peeling one hop of it (generic
 * Sphinx, and the payment peel with payload checks), and decoding a returned failure at the
 * origin. boltkit runs on the noble backend and on the node-openssl backend. No installed peer
 * builds onions: @node-lightning/* here has no Sphinx package, and LDK 0.1's WASM bindings expose
 * peeling (`peel_payment_onion`) but not construction, so LDK is measured on the final-hop peel
 * only, with the same packet.
 */
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { createNodeCryptoBackend } from '../src/node/crypto-backend.js';
import {
  createFailurePacket,
  decodeFailurePacket,
  wrapFailurePacket,
} from '../src/onion/failure.js';
import { FailureCode } from '../src/onion/failure-codes.js';
import { peelOnion } from '../src/onion/peel.js';
import {
  constructPaymentOnion,
  peelPaymentOnion,
  type PaymentRouteHop,
} from '../src/onion/payment-onion.js';
import { loadLdk } from '../test/interop/ldk/load.js';
import { measureSync, type BenchResult } from './harness.js';

const GROUP = 'BOLT 4 onion';
const HOPS = 20;
const key = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
const sessionKey = key(0x55);
const paymentHash = key(0x99);
const nodeSecrets = Array.from({ length: HOPS }, (_, i) => key(i + 1));

/** 19 forwarding hops (21-byte payloads) and a recipient with payment_data (49 bytes). */
function route(crypto: CryptoBackend, finalNodeId?: Uint8Array): PaymentRouteHop[] {
  return nodeSecrets.map((sk, i) => {
    const nodeId =
      i === HOPS - 1 && finalNodeId !== undefined ? finalNodeId : crypto.getPublicKey(sk);
    const amtToForwardMsat = 1_000_000n + BigInt((HOPS - 1 - i) * 1000);
    const outgoingCltvValue = 800_000 + (HOPS - 1 - i) * 40;
    return i === HOPS - 1
      ? {
          nodeId,
          payload: {
            amtToForwardMsat,
            outgoingCltvValue,
            paymentData: { paymentSecret: key(0x33), totalMsat: amtToForwardMsat },
          },
        }
      : { nodeId, payload: { amtToForwardMsat, outgoingCltvValue, shortChannelId: BigInt(i + 1) } };
  });
}

/**
 * Sphinx at 20 hops on `crypto`: building the whole packet and peeling one forwarding hop. Also
 * reported by `bench/payments` next to the payment rates.
 */
export function sphinxResults(crypto: CryptoBackend, impl: string, group: string): BenchResult[] {
  const hops = route(crypto);
  const { packet } = constructPaymentOnion(hops, sessionKey, paymentHash, crypto);
  const ecdh0 = (pk: Uint8Array) => crypto.ecdh(nodeSecrets[0]!, pk);
  return [
    {
      group,
      name: `Sphinx construct, ${HOPS} hops`,
      impl,
      opsPerSec: measureSync(() => constructPaymentOnion(hops, sessionKey, paymentHash, crypto)),
    },
    {
      group,
      name: `Sphinx peel one hop of ${HOPS}`,
      impl,
      opsPerSec: measureSync(() => peelOnion(packet, ecdh0, paymentHash, { crypto })),
    },
  ];
}

function backendResults(crypto: CryptoBackend, impl: string): BenchResult[] {
  const hops = route(crypto);
  const { packet, sharedSecrets } = constructPaymentOnion(hops, sessionKey, paymentHash, crypto);
  const ecdh0 = (pk: Uint8Array) => crypto.ecdh(nodeSecrets[0]!, pk);
  if (peelOnion(packet, ecdh0, paymentHash, { crypto }).kind !== 'forward') {
    throw new Error('onion bench: the first hop does not forward');
  }
  // The packet as the last hop receives it, for the final-hop peel.
  let last = packet;
  for (let i = 0; i < HOPS - 1; i++) {
    const r = peelOnion(last, (pk) => crypto.ecdh(nodeSecrets[i]!, pk), paymentHash, { crypto });
    if (r.kind !== 'forward') throw new Error('onion bench: a hop does not forward');
    last = r.nextPacket;
  }
  const ecdhLast = (pk: Uint8Array) => crypto.ecdh(nodeSecrets[HOPS - 1]!, pk);
  if (peelPaymentOnion(last, { nodeEcdh: ecdhLast, paymentHash, crypto }).kind !== 'receive') {
    throw new Error('onion bench: the last hop does not receive');
  }
  // A failure from the last hop, wrapped by every hop with attribution data.
  let failure = createFailurePacket(
    sharedSecrets[HOPS - 1]!,
    { failureCode: FailureCode.incorrectOrUnknownPaymentDetails, htlcMsat: 1n, height: 1 },
    { crypto, holdTime100ms: 1 },
  );
  for (let i = HOPS - 2; i >= 0; i--) {
    failure = wrapFailurePacket(sharedSecrets[i]!, failure, { crypto, holdTime100ms: 1 });
  }
  const note = `secp256k1 on ${'secp256k1' in crypto ? String(crypto.secp256k1) : 'noble'}`;
  return [
    {
      group: GROUP,
      name: `construct, ${HOPS} hops (whole packet)`,
      impl,
      opsPerSec: measureSync(() => constructPaymentOnion(hops, sessionKey, paymentHash, crypto)),
      note,
    },
    {
      group: GROUP,
      name: 'peel one hop (Sphinx, forward)',
      impl,
      opsPerSec: measureSync(() => peelOnion(packet, ecdh0, paymentHash, { crypto })),
      note,
    },
    {
      group: GROUP,
      name: 'peel one hop (payment, final, payload checked)',
      impl,
      opsPerSec: measureSync(() =>
        peelPaymentOnion(last, { nodeEcdh: ecdhLast, paymentHash, crypto }),
      ),
      note,
    },
    {
      group: GROUP,
      name: `decode a failure at the origin (${HOPS} hops)`,
      impl,
      opsPerSec: measureSync(() => decodeFailurePacket(sharedSecrets, failure, { crypto })),
      note: `${note}; attribution data checked at every hop`,
    },
  ];
}

/** LDK's `peel_payment_onion` on the same kind of final-hop packet, to its own node key. */
async function ldkPeel(): Promise<BenchResult> {
  const ldk = await loadLdk();
  const keys = ldk.KeysManager.constructor_new(key(7), 1n, 0);
  const signer = keys.as_NodeSigner();
  const id = signer.get_node_id(ldk.Recipient.LDKRecipient_Node);
  if (!(id instanceof ldk.Result_PublicKeyNoneZ_OK)) throw new Error('LDK: no node id');
  const hops = route(nobleBackend, id.res);
  const { packet } = constructPaymentOnion(hops.slice(HOPS - 1), sessionKey, paymentHash);
  const final = hops[HOPS - 1]!.payload;
  // update_add_htlc body: channel_id, id, amount_msat, payment_hash, cltv_expiry, onion.
  const body = new Uint8Array(32 + 8 + 8 + 32 + 4 + packet.length);
  const view = new DataView(body.buffer);
  view.setBigUint64(40, final.amtToForwardMsat!);
  body.set(paymentHash, 48);
  view.setUint32(80, final.outgoingCltvValue!);
  body.set(packet, 84);
  const msg = ldk.UpdateAddHTLC.constructor_read(body);
  if (!(msg instanceof ldk.Result_UpdateAddHTLCDecodeErrorZ_OK)) throw new Error('LDK: bad HTLC');
  const logger = ldk.Logger.new_impl({ log: () => undefined });
  const peel = () =>
    ldk.UtilMethods.constructor_peel_payment_onion(msg.res, signer, logger, 799_000, false);
  if (!peel().is_ok()) throw new Error('LDK refused the onion');
  return {
    group: GROUP,
    name: 'peel one hop (payment, final, payload checked)',
    impl: 'LDK 0.1 WASM',
    opsPerSec: measureSync(peel),
    note: 'peel_payment_onion, libsecp256k1 in WASM',
  };
}

export async function run(): Promise<BenchResult[]> {
  const node = createNodeCryptoBackend();
  return [
    ...backendResults(nobleBackend, 'boltkit (noble)'),
    ...backendResults(node, 'boltkit (node-openssl)'),
    await ldkPeel(),
  ].sort((a, b) => a.name.localeCompare(b.name));
}
