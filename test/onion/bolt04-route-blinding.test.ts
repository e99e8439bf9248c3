// BOLT 4 route blinding: bolt04/route-blinding-test.json (two blinded paths created by Bob and
// Eve and joined with next_path_key_override, then unblinded at each node) and
// bolt04/blinded-payment-onion-test.json (a payment onion through Alice into that path, built byte
// for byte and peeled at every node).
import { describe, expect, it } from 'vitest';
import {
  decodeEncryptedData,
  encodeEncryptedData,
  type EncryptedData,
} from '../../src/onion/encrypted-data.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { deriveOnionKey } from '../../src/onion/onion-keys.js';
import { constructOnionPacket } from '../../src/onion/packet.js';
import { decodeHopPayload, encodeHopPayload } from '../../src/onion/payload.js';
import {
  constructPaymentOnion,
  peelPaymentOnion,
  type PaymentOnionResult,
  type PaymentRouteHop,
} from '../../src/onion/payment-onion.js';
import {
  aggregateBlindedPayInfo,
  blindedForwardValues,
  computeNextPathKey,
  createBlindedPath,
  unblindHop,
} from '../../src/onion/route-blinding.js';
import type { TlvRecord } from '../../src/wire/tlv.js';
import { Features } from '../../src/wire/features.js';
import { parseShortChannelId } from '../../src/wire/short-channel-id.js';
import { crypto, ecdhOf, hex, keyOf, loadVector, toHex, withoutLengthPrefix } from './helpers.js';

interface JsonTlvs {
  padding?: string;
  short_channel_id?: string;
  next_node_id?: string;
  path_id?: string;
  next_path_key_override?: string;
  payment_relay?: {
    cltv_expiry_delta: number;
    fee_proportional_millionths: number;
    fee_base_msat?: number;
  };
  payment_constraints?: { max_cltv_expiry: number; htlc_minimum_msat: number };
  allowed_features?: { features: number[] };
  [unknown: `unknown_tag_${number}`]: string;
}

/** The vector's JSON form of an encrypted_data_tlv as boltkit's record and custom records. */
function fromJson(t: JsonTlvs): { data: EncryptedData; unknown: TlvRecord[] } {
  const data: EncryptedData = {
    ...(t.padding === undefined ? {} : { padding: hex(t.padding) }),
    ...(t.short_channel_id === undefined
      ? {}
      : { shortChannelId: parseShortChannelId(t.short_channel_id) }),
    ...(t.next_node_id === undefined ? {} : { nextNodeId: hex(t.next_node_id) }),
    ...(t.path_id === undefined ? {} : { pathId: hex(t.path_id) }),
    ...(t.next_path_key_override === undefined
      ? {}
      : { nextPathKeyOverride: hex(t.next_path_key_override) }),
    ...(t.payment_relay === undefined
      ? {}
      : {
          paymentRelay: {
            cltvExpiryDelta: t.payment_relay.cltv_expiry_delta,
            feeProportionalMillionths: t.payment_relay.fee_proportional_millionths,
            feeBaseMsat: t.payment_relay.fee_base_msat ?? 0,
          },
        }),
    ...(t.payment_constraints === undefined
      ? {}
      : {
          paymentConstraints: {
            maxCltvExpiry: t.payment_constraints.max_cltv_expiry,
            htlcMinimumMsat: BigInt(t.payment_constraints.htlc_minimum_msat),
          },
        }),
    ...(t.allowed_features === undefined
      ? {}
      : { allowedFeatures: Features.fromBits(t.allowed_features.features).toBytes() }),
  };
  const unknown = Object.entries(t)
    .filter(([k]) => k.startsWith('unknown_tag_'))
    .map(([k, v]) => ({ type: BigInt(k.slice('unknown_tag_'.length)), value: hex(v as string) }));
  return { data, unknown };
}

interface RouteBlindingTest {
  generate: {
    hops: {
      alias: string;
      session_key?: string;
      node_id: string;
      tlvs: JsonTlvs;
      encoded_tlvs: string;
      path_privkey: string;
      path_key: string;
      shared_secret: string;
      rho: string;
      encrypted_data: string;
      blinded_node_id: string;
    }[];
  };
  route: {
    first_node_id: string;
    first_path_key: string;
    hops: { blinded_node_id: string; encrypted_data: string }[];
  };
  unblind: {
    hops: {
      alias: string;
      node_privkey: string;
      path_key: string;
      blinded_privkey: string;
      decrypted_data: string;
      next_path_key: string;
      next_path_key_override?: string;
    }[];
  };
}

const rb = loadVector('bolt04/route-blinding-test.json') as RouteBlindingTest;

describe('BOLT 4 route-blinding-test.json', () => {
  it('encodes every encrypted_data_tlv and decodes it back', () => {
    for (const h of rb.generate.hops) {
      const { data, unknown } = fromJson(h.tlvs);
      expect(toHex(encodeEncryptedData(data, unknown))).toBe(h.encoded_tlvs);
      expect(decodeEncryptedData(hex(h.encoded_tlvs))).toEqual({ data, unknownOddTlvs: unknown });
    }
  });

  it('derives each path key, shared secret and rho of the trace', () => {
    for (const h of rb.generate.hops) {
      const e = hex(h.path_privkey);
      expect(toHex(crypto.getPublicKey(e))).toBe(h.path_key);
      const ss = crypto.ecdh(e, hex(h.node_id));
      expect(toHex(ss)).toBe(h.shared_secret);
      expect(toHex(deriveOnionKey(crypto, 'rho', ss))).toBe(h.rho);
    }
  });

  it('creates the two paths and joins them into the vector route', () => {
    const [bob, carol, dave, eve] = rb.generate.hops;
    const first = createBlindedPath(hex(bob!.session_key!), [
      { nodeId: hex(bob!.node_id), encryptedData: hex(bob!.encoded_tlvs) },
      { nodeId: hex(carol!.node_id), encryptedData: hex(carol!.encoded_tlvs) },
    ]);
    const second = createBlindedPath(hex(dave!.session_key!), [
      { nodeId: hex(dave!.node_id), encryptedData: hex(dave!.encoded_tlvs) },
      { nodeId: hex(eve!.node_id), encryptedData: hex(eve!.encoded_tlvs) },
    ]);
    // Carol's record overrides her next path key with the second path's first one.
    expect(toHex(second.firstPathKey)).toBe(carol!.tlvs.next_path_key_override);
    expect(toHex(first.firstNodeId)).toBe(rb.route.first_node_id);
    expect(toHex(first.firstPathKey)).toBe(rb.route.first_path_key);
    expect(
      [...first.hops, ...second.hops].map((h) => ({
        blinded_node_id: toHex(h.blindedNodeId),
        encrypted_data: toHex(h.encryptedRecipientData),
      })),
    ).toEqual(rb.route.hops);
  });

  it('unblinds the route at every node, with only an ECDH function', () => {
    rb.unblind.hops.forEach((h, i) => {
      const u = unblindHop(hex(h.path_key), hex(rb.route.hops[i]!.encrypted_data), {
        nodeEcdh: ecdhOf(hex(h.node_privkey)),
      });
      expect(toHex(encodeEncryptedData(u.data, u.unknownOddTlvs))).toBe(h.decrypted_data);
      // Without an override the next path key is the derived one.
      expect(toHex(computeNextPathKey(hex(h.path_key), u.pathSharedSecret))).toBe(h.next_path_key);
      expect(toHex(u.nextPathKey)).toBe(h.next_path_key_override ?? h.next_path_key);
      // The blinded secret key is the node key times the blinding tweak.
      const tweak = deriveOnionKey(crypto, 'blinded_node_id', u.pathSharedSecret);
      expect(toHex(crypto.privateMultiply(hex(h.node_privkey), tweak))).toBe(h.blinded_privkey);
      expect(toHex(crypto.getPublicKey(hex(h.blinded_privkey)))).toBe(
        rb.route.hops[i]!.blinded_node_id,
      );
    });
  });

  it('a record that does not decrypt is invalid_onion_blinding', () => {
    const h = rb.unblind.hops[0]!;
    const data = hex(rb.route.hops[0]!.encrypted_data);
    data[3]! ^= 1;
    expect(() =>
      unblindHop(hex(h.path_key), data, { nodeEcdh: ecdhOf(hex(h.node_privkey)) }),
    ).toThrow(
      expect.objectContaining({
        code: 'OnionError',
        failureCode: FailureCode.invalidOnionBlinding,
      }),
    );
  });
});

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

describe('BOLT 4 payment onion, unblinded', () => {
  const nodes = [1, 2, 3].map((i) => keyOf(0x30 + i));
  const paymentHash = keyOf(0x99);
  const route: PaymentRouteHop[] = [
    {
      nodeId: crypto.getPublicKey(nodes[0]!),
      payload: { amtToForwardMsat: 2002n, outgoingCltvValue: 820, shortChannelId: 7n },
    },
    {
      nodeId: crypto.getPublicKey(nodes[1]!),
      payload: { amtToForwardMsat: 2001n, outgoingCltvValue: 810, shortChannelId: 8n },
    },
    {
      nodeId: crypto.getPublicKey(nodes[2]!),
      payload: { amtToForwardMsat: 2000n, outgoingCltvValue: 800, keysendPreimage: keyOf(0xee) },
      customTlvs: [{ type: 65537n, value: Uint8Array.of(42) }],
    },
  ];

  it('forwards twice and receives a keysend payment with a custom record', () => {
    let { packet } = constructPaymentOnion(route, keyOf(0x44), paymentHash);
    for (const [i, node] of nodes.entries()) {
      const r = peelPaymentOnion(packet, { nodeEcdh: ecdhOf(node), paymentHash });
      if (i < 2) {
        expect(r).toMatchObject({ kind: 'forward', shortChannelId: BigInt(7 + i) });
        if (r.kind === 'forward') packet = r.nextPacket;
      } else {
        expect(r).toMatchObject({
          kind: 'receive',
          amtToForwardMsat: 2000n,
          totalMsat: 2000n,
          outgoingCltvValue: 800,
          keysendPreimage: keyOf(0xee),
          unknownOddTlvs: [{ type: 65537n, value: Uint8Array.of(42) }],
        });
      }
    }
  });

  it('a payload missing a record fails with invalid_onion_payload naming it', () => {
    const bad: PaymentRouteHop[] = [
      {
        nodeId: crypto.getPublicKey(nodes[0]!),
        payload: { amtToForwardMsat: 5n, outgoingCltvValue: 9 },
      },
      route[2]!,
    ];
    const { packet } = constructPaymentOnion(bad, keyOf(0x44), paymentHash);
    const r = peelPaymentOnion(packet, { nodeEcdh: ecdhOf(nodes[0]!), paymentHash });
    expect(r).toMatchObject({
      kind: 'fail',
      failure: { failureCode: FailureCode.invalidOnionPayload, tlvType: 6n, offset: 0 },
    });
    // The decoded payload bytes are as sent.
    expect(decodeHopPayload(encodeHopPayload(bad[0]!.payload)).payload).toEqual(bad[0]!.payload);
  });
});
