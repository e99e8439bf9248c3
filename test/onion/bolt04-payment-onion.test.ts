// The payment onion API without blinding: a sender's typed hop payloads to a forward, forward,
// keysend receive with a custom record, and a payload failure naming the missing record.
import { describe, expect, it } from 'vitest';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { decodeHopPayload, encodeHopPayload } from '../../src/onion/payload.js';
import {
  constructPaymentOnion,
  peelPaymentOnion,
  type PaymentRouteHop,
} from '../../src/onion/payment-onion.js';
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
