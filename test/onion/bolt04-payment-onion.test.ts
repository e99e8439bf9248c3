// The payment onion API: a sender's typed hop payloads to a forward, forward, keysend receive
// with a custom record; a payload failure naming the missing record; and a route to nodes whose
// keys stay in KeysManager, ending in a blinded path.
import { describe, expect, it } from 'vitest';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { encodeEncryptedData } from '../../src/onion/encrypted-data.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { decodeHopPayload, encodeHopPayload } from '../../src/onion/payload.js';
import {
  constructPaymentOnion,
  peelPaymentOnion,
  type PaymentRouteHop,
} from '../../src/onion/payment-onion.js';
import { blindedForwardValues, createBlindedPath } from '../../src/onion/route-blinding.js';
import { crypto, ecdhOf, keyOf } from './helpers.js';

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

describe('BOLT 4 payment onion with KeysManager signers', () => {
  // The hops' node keys stay inside KeysManager: peeling only calls its ecdh.
  const signers = [1, 2, 3].map(
    (i) =>
      new KeysManager(keyOf(0x70 + i), 1_700_000_000, i, {
        getRandomValues: (b) => b.fill(i),
      }),
  );
  const paymentHash = keyOf(0x98);

  it('peels a route to KeysManager nodes, with a blinded path to the last one', () => {
    const [a, b, c] = signers;
    // The recipient c blinds a path b -> c; the sender reaches b through a.
    const path = createBlindedPath(keyOf(0x61), [
      {
        nodeId: b!.getNodeId(),
        encryptedData: encodeEncryptedData({
          shortChannelId: 2n,
          paymentRelay: { cltvExpiryDelta: 40, feeProportionalMillionths: 100, feeBaseMsat: 1000 },
        }),
      },
      { nodeId: c!.getNodeId(), encryptedData: encodeEncryptedData({ pathId: Uint8Array.of(7) }) },
    ]);
    let { packet } = constructPaymentOnion(
      [
        {
          nodeId: a!.getNodeId(),
          payload: { amtToForwardMsat: 51_005n, outgoingCltvValue: 900, shortChannelId: 1n },
        },
        {
          nodeId: path.firstNodeId,
          payload: {
            encryptedRecipientData: path.hops[0]!.encryptedRecipientData,
            currentPathKey: path.firstPathKey,
          },
        },
        {
          nodeId: path.hops[1]!.blindedNodeId,
          payload: {
            amtToForwardMsat: 50_000n,
            outgoingCltvValue: 860,
            totalAmountMsat: 50_000n,
            encryptedRecipientData: path.hops[1]!.encryptedRecipientData,
          },
        },
      ],
      keyOf(0x45),
      paymentHash,
    );
    const ra = peelPaymentOnion(packet, { nodeEcdh: (pk) => a!.ecdh(pk), paymentHash });
    expect(ra).toMatchObject({ kind: 'forward', shortChannelId: 1n });
    if (ra.kind !== 'forward') return;
    const rb = peelPaymentOnion(ra.nextPacket, { nodeEcdh: (pk) => b!.ecdh(pk), paymentHash });
    expect(rb).toMatchObject({
      kind: 'blinded-forward',
      shortChannelId: 2n,
      isIntroductionNode: true,
    });
    if (rb.kind !== 'blinded-forward') return;
    expect(blindedForwardValues(51_005n, 900, rb.paymentRelay)).toEqual({
      amtToForwardMsat: 50_000n,
      outgoingCltvValue: 860,
    });
    packet = rb.nextPacket;
    const rc = peelPaymentOnion(packet, {
      nodeEcdh: (pk) => c!.ecdh(pk),
      paymentHash,
      pathKey: rb.nextPathKey,
    });
    expect(rc).toMatchObject({
      kind: 'blinded-receive',
      amtToForwardMsat: 50_000n,
      totalMsat: 50_000n,
      pathId: Uint8Array.of(7),
      isIntroductionNode: false,
    });
  });
});
