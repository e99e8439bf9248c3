// BOLT 4 blinded payments: bolt04/blinded-payment-onion-test.json, a payment onion through Alice
// into a blinded path introduced by Bob, built byte for byte and peeled at every node, and the
// failures a blinded path returns.
import { describe, expect, it } from 'vitest';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { constructOnionPacket } from '../../src/onion/packet.js';
import { encodeHopPayload } from '../../src/onion/payload.js';
import {
  constructPaymentOnion,
  peelPaymentOnion,
  type PaymentOnionResult,
  type PaymentRouteHop,
} from '../../src/onion/payment-onion.js';
import { aggregateBlindedPayInfo, blindedForwardValues } from '../../src/onion/route-blinding.js';
import { fromJson, type JsonTlvs } from './blinding-json.js';
import { crypto, ecdhOf, hex, keyOf, loadVector, toHex, withoutLengthPrefix } from './helpers.js';

interface BlindedPaymentTest {
  generate: {
    session_key: string;
    associated_data: string;
    final_amount_msat: number;
    final_cltv: number;
    blinded_payinfo: {
      fee_base_msat: number;
      fee_proportional_millionths: number;
      cltv_expiry_delta: number;
    };
    blinded_route: {
      first_node_id: string;
      first_path_key: string;
      hops: { alias: string; blinded_node_id: string; encrypted_data: string }[];
    };
    full_route: {
      hops: {
        alias: string;
        pubkey: string;
        payload: string;
        tlvs: {
          outgoing_channel_id?: string;
          amt_to_forward?: number;
          outgoing_cltv_value?: number;
          total_amount_msat?: number;
          current_path_key?: string;
          encrypted_recipient_data?: JsonTlvs;
        };
      }[];
    };
    onion: string;
  };
  decrypt: {
    hops: { alias: string; onion: string; node_privkey: string; next_path_key?: string }[];
  };
}

const bp = loadVector('bolt04/blinded-payment-onion-test.json') as BlindedPaymentTest;

describe('BOLT 4 blinded-payment-onion-test.json', () => {
  const g = bp.generate;
  const paymentHash = hex(g.associated_data);
  const blinded = g.blinded_route.hops;

  // The route as a sender builds it from the blinded path: Alice unblinded, then the
  // introduction node Bob (unblinded, with the path key), then the blinded nodes.
  const route: PaymentRouteHop[] = [
    {
      nodeId: hex(g.full_route.hops[0]!.pubkey),
      payload: { amtToForwardMsat: 110125n, outgoingCltvValue: 749150, shortChannelId: 10n },
    },
    {
      nodeId: hex(g.blinded_route.first_node_id),
      payload: {
        encryptedRecipientData: hex(blinded[0]!.encrypted_data),
        currentPathKey: hex(g.blinded_route.first_path_key),
      },
    },
    ...blinded.slice(1, 3).map((h) => ({
      nodeId: hex(h.blinded_node_id),
      payload: { encryptedRecipientData: hex(h.encrypted_data) },
    })),
    {
      nodeId: hex(blinded[3]!.blinded_node_id),
      payload: {
        amtToForwardMsat: BigInt(g.final_amount_msat),
        outgoingCltvValue: g.final_cltv,
        totalAmountMsat: 150000n,
        encryptedRecipientData: hex(blinded[3]!.encrypted_data),
      },
    },
  ];

  it('encodes every hop payload as the vector does', () => {
    route.forEach((hop, i) => {
      expect(toHex(encodeHopPayload(hop.payload))).toBe(
        toHex(withoutLengthPrefix(hex(g.full_route.hops[i]!.payload))),
      );
      expect(toHex(hop.nodeId)).toBe(g.full_route.hops[i]!.pubkey);
    });
  });

  it('builds the onion byte for byte', () => {
    const { packet } = constructPaymentOnion(route, hex(g.session_key), paymentHash);
    expect(toHex(packet)).toBe(g.onion);
    const raw = constructOnionPacket(
      g.full_route.hops.map((h) => ({
        nodeId: hex(h.pubkey),
        payload: withoutLengthPrefix(hex(h.payload)),
      })),
      hex(g.session_key),
      paymentHash,
    );
    expect(toHex(raw.packet)).toBe(g.onion);
  });

  it('aggregates the path fees and delta into the vector blinded_payinfo', () => {
    const relays = g.full_route.hops
      .slice(1, 4)
      .map((h) => fromJson(h.tlvs.encrypted_recipient_data!).data.paymentRelay!);
    expect(aggregateBlindedPayInfo(relays, 0)).toEqual({
      feeBaseMsat: g.blinded_payinfo.fee_base_msat,
      feeProportionalMillionths: g.blinded_payinfo.fee_proportional_millionths,
      cltvExpiryDelta: g.blinded_payinfo.cltv_expiry_delta,
    });
  });

  it('peels the onion at every node into what it must do', () => {
    let pathKey: Uint8Array | undefined;
    let amountMsat = 110125n;
    let cltvExpiry = 749150;
    const kinds: PaymentOnionResult['kind'][] = [];
    bp.decrypt.hops.forEach((h, i) => {
      const r = peelPaymentOnion(hex(h.onion), {
        nodeEcdh: ecdhOf(hex(h.node_privkey)),
        paymentHash,
        ...(pathKey === undefined ? {} : { pathKey }),
      });
      kinds.push(r.kind);
      const next = bp.decrypt.hops[i + 1];
      const expected = g.full_route.hops[i]!.tlvs.encrypted_recipient_data;
      switch (r.kind) {
        case 'forward':
          expect(r.shortChannelId).toBe(10n);
          expect(toHex(r.nextPacket)).toBe(next!.onion);
          break;
        case 'blinded-forward': {
          const data = fromJson(expected!).data;
          expect(r.shortChannelId).toBe(data.shortChannelId);
          expect(r.paymentRelay).toEqual(data.paymentRelay);
          expect(r.paymentConstraints).toEqual(data.paymentConstraints);
          expect(r.isIntroductionNode).toBe(i === 1);
          expect(toHex(r.nextPathKey)).toBe(h.next_path_key);
          expect(toHex(r.nextPacket)).toBe(next!.onion);
          pathKey = r.nextPathKey;
          const values = blindedForwardValues(
            amountMsat,
            cltvExpiry,
            r.paymentRelay,
            r.paymentConstraints,
          );
          amountMsat = values.amtToForwardMsat;
          cltvExpiry = values.outgoingCltvValue;
          break;
        }
        case 'blinded-receive': {
          const data = fromJson(expected!).data;
          expect(toHex(r.pathId!)).toBe(toHex(data.pathId!));
          expect(r.amtToForwardMsat).toBe(100000n);
          expect(r.totalMsat).toBe(150000n);
          expect(r.outgoingCltvValue).toBe(749000);
          expect(r.isIntroductionNode).toBe(false);
          // The relay fees carried the amount and expiry down to exactly what Eve expects.
          expect([amountMsat, cltvExpiry]).toEqual([r.amtToForwardMsat, r.outgoingCltvValue]);
          break;
        }
        default:
          throw new Error(`unexpected ${r.kind}`);
      }
    });
    expect(kinds).toEqual([
      'forward',
      'blinded-forward',
      'blinded-forward',
      'blinded-forward',
      'blinded-receive',
    ]);
  });

  it('inside the path every failure is a malformed invalid_onion_blinding', () => {
    const carol = bp.decrypt.hops[2]!;
    const ecdh = ecdhOf(hex(carol.node_privkey));
    const onion = hex(carol.onion);
    const pathKey = hex(bp.decrypt.hops[1]!.next_path_key!);
    const expectBlinding = (r: PaymentOnionResult, packet: Uint8Array) =>
      expect(r).toEqual({
        kind: 'malformed',
        failureCode: FailureCode.invalidOnionBlinding,
        sha256OfOnion: crypto.sha256(packet),
      });
    // A bad HMAC, a wrong path key, a path key off the curve.
    const bad = onion.slice();
    bad[100]! ^= 1;
    expectBlinding(peelPaymentOnion(bad, { nodeEcdh: ecdh, paymentHash, pathKey }), bad);
    expectBlinding(
      peelPaymentOnion(onion, {
        nodeEcdh: ecdh,
        paymentHash,
        pathKey: crypto.getPublicKey(keyOf(5)),
      }),
      onion,
    );
    expectBlinding(
      peelPaymentOnion(onion, { nodeEcdh: ecdh, paymentHash, pathKey: new Uint8Array(33) }),
      onion,
    );
    // Without the path key Carol cannot even decrypt: an ordinary bad-HMAC malformed.
    expect(peelPaymentOnion(onion, { nodeEcdh: ecdh, paymentHash })).toMatchObject({
      kind: 'malformed',
      failureCode: FailureCode.invalidOnionHmac,
    });
  });

  it('the introduction node fails with an encrypted invalid_onion_blinding', () => {
    // An onion to Bob whose record is not his: the payload decodes, the record does not decrypt.
    const bob = bp.decrypt.hops[1]!;
    const { packet } = constructPaymentOnion(
      [
        {
          nodeId: hex(g.blinded_route.first_node_id),
          payload: {
            encryptedRecipientData: hex(blinded[1]!.encrypted_data),
            currentPathKey: hex(g.blinded_route.first_path_key),
          },
        },
        {
          nodeId: hex(blinded[2]!.blinded_node_id),
          payload: { encryptedRecipientData: Uint8Array.of(1, 2) },
        },
      ],
      keyOf(9),
      paymentHash,
    );
    const r = peelPaymentOnion(packet, { nodeEcdh: ecdhOf(hex(bob.node_privkey)), paymentHash });
    expect(r.kind).toBe('fail');
    if (r.kind !== 'fail') return;
    expect(r.failure).toEqual({
      failureCode: FailureCode.invalidOnionBlinding,
      sha256OfOnion: crypto.sha256(packet),
    });
    expect(r.sharedSecret.length).toBe(32);
  });

  it('payment constraints and relay fees are enforced', () => {
    const relay = { cltvExpiryDelta: 50, feeProportionalMillionths: 0, feeBaseMsat: 10000 };
    const constraints = { maxCltvExpiry: 750150, htlcMinimumMsat: 50n };
    const err = expect.objectContaining({
      code: 'OnionError',
      failureCode: FailureCode.invalidOnionBlinding,
    });
    expect(() => blindedForwardValues(110125n, 750151, relay, constraints)).toThrow(err);
    expect(() => blindedForwardValues(49n, 700000, relay, constraints)).toThrow(err);
    expect(() => blindedForwardValues(9999n, 700000, relay)).toThrow(err);
    expect(blindedForwardValues(110125n, 749150, relay, constraints)).toEqual({
      amtToForwardMsat: 100125n,
      outgoingCltvValue: 749100,
    });
  });
});
