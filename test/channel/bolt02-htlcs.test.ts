// BOLT 2 "Adding an HTLC: update_add_htlc" and "Removing an HTLC": HTLCs added and settled both
// ways, batched into one commitment_signed, failed and failed as malformed; every receiver
// check violated (close) and every sender rule refused (ignore, nothing changes).
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import type { ChannelEvent } from '../../src/channel-manager/channel/events.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type {
  UpdateAddHtlcMessage,
  UpdateFulfillHtlcMessage,
} from '../../src/wire/messages/commitment.js';
import { ChannelPair, dummyOnion, preimageOf, type TestNode } from '../support/channel-pair.js';
import { expectChannelError } from './helpers.js';

const X = ChannelErrorAction;

function balances(node: TestNode): [bigint, bigint] {
  const spec = node.channel.state.holderCommitment!.spec;
  return [spec.toHolderMsat, spec.toCounterpartyMsat];
}

/** An update_add_htlc as if `from` had sent it, bypassing its own checks. */
function forgedAdd(
  _pair: ChannelPair,
  to: TestNode,
  change: Partial<UpdateAddHtlcMessage>,
): UpdateAddHtlcMessage {
  const { paymentHash } = preimageOf(99);
  return {
    type: 'update_add_htlc',
    channelId: to.channel.state.channelId,
    id: to.channel.state.nextIncomingHtlcId,
    amountMsat: 5_000_000n,
    paymentHash,
    cltvExpiry: 600,
    onionRoutingPacket: dummyOnion(99),
    ...change,
  };
}

function pay(pair: ChannelPair, from: TestNode, amountMsat: bigint, n: number): void {
  const to = pair.other(from);
  const h = pair.addHtlc(from, amountMsat, n);
  pair.commit(from);
  const received = to.takeEvents().find((e) => e.type === 'HtlcReceived');
  expect(received).toMatchObject({ htlcId: h.htlcId, amountMsat, paymentHash: h.paymentHash });
  to.absorb(to.channel.claimHtlc(h.htlcId, h.preimage));
  pair.commit(to);
  expect(from.takeEvents()).toMatchObject([
    { type: 'HtlcFulfilled', htlcId: h.htlcId, paymentPreimage: h.preimage },
  ]);
}

describe('BOLT 2 HTLCs added and settled', () => {
  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`pays both ways on a ${channelType} channel`, () => {
      const pair = ChannelPair.ready({ channelType });
      const [aStart] = balances(pair.a);
      pay(pair, pair.a, 50_000_000n, 1);
      pay(pair, pair.b, 20_000_000n, 2);
      expect(balances(pair.a)).toEqual([aStart - 30_000_000n, 30_000_000n]);
      expect(balances(pair.b)).toEqual([30_000_000n, aStart - 30_000_000n]);
      for (const node of [pair.a, pair.b]) {
        const s = node.channel.state;
        expect(s.holderCommitment!.spec.htlcs).toEqual([]);
        expect(s.counterpartyCommitment!.spec.htlcs).toEqual([]);
        expect(s.holderCommitment!.commitmentNumber).toBe(4);
        expect(s.counterpartyCommitment!.commitmentNumber).toBe(4);
      }
      // The claimer told its monitor the preimage before sending the fulfil.
      const steps = pair.b.monitorUpdates.flatMap((u) => u.steps.map((s) => s.type));
      expect(steps).toContain('PaymentPreimage');
    });
  }

  it('batches several updates from both sides into one commitment_signed each way', () => {
    const pair = ChannelPair.ready();
    pay(pair, pair.a, 100_000_000n, 1);
    const h1 = pair.addHtlc(pair.a, 10_000_000n, 10);
    const h2 = pair.addHtlc(pair.a, 11_000_000n, 11);
    const h3 = pair.addHtlc(pair.a, 300_000n, 12); // dust on both commitments
    const h4 = pair.addHtlc(pair.b, 12_000_000n, 13);
    pair.a.absorb(pair.a.channel.sendCommitment());
    expect(pair.a.pending()).toEqual([
      'update_add_htlc',
      'update_add_htlc',
      'update_add_htlc',
      'commitment_signed',
    ]);
    const cs = pair.a.outbox[3]!;
    if (cs.type !== 'commitment_signed') throw new Error('expected commitment_signed');
    // b's next commitment holds only a's three HTLCs (b's own add is not signed by a yet).
    expect(cs.htlcSignatures).toHaveLength(2);
    pair.deliverAll();
    expect(pair.b.takeEvents().map((e) => e.type)).toEqual([
      'HtlcReceived',
      'HtlcReceived',
      'HtlcReceived',
    ]);
    expect(pair.a.takeEvents().map((e) => e.type)).toEqual(['HtlcReceived']);
    for (const node of [pair.a, pair.b]) {
      expect(node.channel.state.holderCommitment!.spec.htlcs).toHaveLength(4);
      expect(node.channel.state.counterpartyCommitment!.spec.htlcs).toHaveLength(4);
    }
    pair.b.absorb(pair.b.channel.claimHtlc(h1.htlcId, h1.preimage));
    pair.b.absorb(pair.b.channel.failHtlc(h2.htlcId, Uint8Array.of(1, 2, 3)));
    pair.b.absorb(pair.b.channel.claimHtlc(h3.htlcId, h3.preimage));
    pair.a.absorb(pair.a.channel.claimHtlc(h4.htlcId, h4.preimage));
    pair.b.absorb(pair.b.channel.sendCommitment());
    pair.deliverAll();
    const aEvents = pair.a.takeEvents();
    expect(aEvents.map((e) => e.type).sort()).toEqual([
      'HtlcFailed',
      'HtlcFulfilled',
      'HtlcFulfilled',
    ]);
    expect(aEvents.find((e) => e.type === 'HtlcFailed')).toMatchObject({
      htlcId: h2.htlcId,
      reason: Uint8Array.of(1, 2, 3),
      amountMsat: 11_000_000n,
    });
    for (const node of [pair.a, pair.b]) {
      expect(node.channel.state.holderCommitment!.spec.htlcs).toEqual([]);
    }
    expect(balances(pair.b)[0]).toBe(100_000_000n + 10_000_000n + 300_000n - 12_000_000n);
  });

  it('fails an HTLC as malformed and reports the failure code and onion hash', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 7_000_000n, 1);
    pair.commit(pair.a);
    pair.b.takeEvents();
    const sha = nobleBackend.sha256(dummyOnion(1));
    pair.b.absorb(pair.b.channel.failMalformedHtlc(h.htlcId, sha, 0x8000 | 0x4000 | 5));
    pair.commit(pair.b);
    const [ev] = pair.a.takeEvents() as [ChannelEvent];
    expect(ev).toMatchObject({
      type: 'HtlcFailed',
      htlcId: h.htlcId,
      malformed: { sha256OfOnion: sha, failureCode: 0xc005 },
    });
  });

  it('marks dust HTLCs over the dust exposure limit for failing back', () => {
    const pair = ChannelPair.ready({ configB: { maxDustHtlcExposureMsat: 1_000_000n } });
    pair.addHtlc(pair.a, 300_000n, 1);
    pair.addHtlc(pair.a, 300_000n, 2);
    pair.addHtlc(pair.a, 300_000n, 3);
    const over = pair.addHtlc(pair.a, 300_000n, 4);
    pair.commit(pair.a);
    const received = pair.b.takeEvents().filter((e) => e.type === 'HtlcReceived');
    expect(received.map((e) => e.type === 'HtlcReceived' && e.refusal)).toEqual([
      undefined,
      undefined,
      undefined,
      'dust_exposure',
    ]);
    expect(received[3]).toMatchObject({ htlcId: over.htlcId });
  });
});

describe('BOLT 2 update_add_htlc receiver checks', () => {
  const cases: readonly [string, Partial<UpdateAddHtlcMessage>, ChannelCheck][] = [
    ['amount_msat of 0', { amountMsat: 0n }, ChannelCheck.HtlcAmountZero],
    ['cltv_expiry at 500000000', { cltvExpiry: 500_000_000 }, ChannelCheck.CltvExpiryTooLarge],
    ['an id that skips one', { id: 1n }, ChannelCheck.HtlcIdNotNext],
  ];
  for (const [name, change, check] of cases) {
    it(`fails the channel for ${name}`, () => {
      const pair = ChannelPair.ready();
      expectChannelError(
        () => pair.b.channel.handleMessage(forgedAdd(pair, pair.b, change)),
        X.Close,
        check,
      );
    });
  }

  it('fails the channel below htlc_minimum_msat, over max_accepted_htlcs and max in flight', () => {
    const pair = ChannelPair.ready({
      configB: {
        ourHtlcMinimumMsat: 1000n,
        ourMaxAcceptedHtlcs: 2,
        maxInboundHtlcValueInFlightPercent: 1,
      },
    });
    expectChannelError(
      () => pair.b.channel.handleMessage(forgedAdd(pair, pair.b, { amountMsat: 999n })),
      X.Close,
      ChannelCheck.HtlcBelowMinimum,
    );
    expectChannelError(
      () => pair.b.channel.handleMessage(forgedAdd(pair, pair.b, { amountMsat: 10_000_001n })),
      X.Close,
      ChannelCheck.MaxHtlcValueInFlightExceeded,
    );
    pair.b.absorb(pair.b.channel.handleMessage(forgedAdd(pair, pair.b, {})));
    pair.b.absorb(pair.b.channel.handleMessage(forgedAdd(pair, pair.b, {})));
    expectChannelError(
      () => pair.b.channel.handleMessage(forgedAdd(pair, pair.b, {})),
      X.Close,
      ChannelCheck.TooManyHtlcs,
    );
  });

  it('fails the channel when the funder offers more than it can afford above its reserve', () => {
    // a keeps 20_000 sat of which 10_000 is the reserve b asked for.
    const pair = ChannelPair.ready({ pushMsat: 980_000_000n });
    expectChannelError(
      () => pair.b.channel.handleMessage(forgedAdd(pair, pair.b, { amountMsat: 9_000_000n })),
      X.Close,
      ChannelCheck.SenderCannotAfford,
    );
  });

  it('fails the channel when the non-funder offers with no balance', () => {
    const pair = ChannelPair.ready();
    expectChannelError(
      () => pair.a.channel.handleMessage(forgedAdd(pair, pair.a, { amountMsat: 1000n })),
      X.Close,
      ChannelCheck.SenderCannotAfford,
    );
  });

  it('marks an HTLC that leaves the funder no fee spike buffer for failing back', () => {
    // a keeps 20_000 sat: 10_000 reserve, so 7_000 sat pays the fee but not twice the feerate.
    const pair = ChannelPair.ready({ pushMsat: 980_000_000n });
    pair.b.absorb(
      pair.b.channel.handleMessage(forgedAdd(pair, pair.b, { amountMsat: 7_000_000n })),
    );
    expect(pair.b.channel.state.refusedIncomingHtlcs).toEqual([
      { id: 0n, refusal: 'fee_spike_buffer' },
    ]);
  });
});

describe('BOLT 2 update_add_htlc sender rules (refused, nothing changes)', () => {
  const cases: readonly [string, bigint, number, ChannelCheck][] = [
    ['amount 0', 0n, 600, ChannelCheck.HtlcAmountZero],
    ['cltv_expiry at 500000000', 1_000_000n, 500_000_000, ChannelCheck.CltvExpiryTooLarge],
    [
      'more than the peer accepts in flight',
      100_000_001n,
      600,
      ChannelCheck.MaxHtlcValueInFlightExceeded,
    ],
  ];
  for (const [name, amountMsat, cltvExpiry, check] of cases) {
    it(`refuses ${name}`, () => {
      const pair = ChannelPair.ready();
      const before = pair.a.channel.state.nextOutgoingHtlcId;
      expectChannelError(
        () =>
          pair.a.channel.sendHtlc({
            amountMsat,
            paymentHash: preimageOf(1).paymentHash,
            cltvExpiry,
            onionRoutingPacket: dummyOnion(1),
          }),
        X.Ignore,
        check,
      );
      expect(pair.a.channel.state.nextOutgoingHtlcId).toBe(before);
      expect(pair.a.channel.state.updates.ourProposed).toEqual([]);
    });
  }

  it('refuses below the peer minimum, over its max_accepted_htlcs, dust over the limit', () => {
    const pair = ChannelPair.ready({
      configB: { ourHtlcMinimumMsat: 5000n, ourMaxAcceptedHtlcs: 1 },
      configA: { maxDustHtlcExposureMsat: 200_000n },
    });
    const send = (amountMsat: bigint): unknown =>
      pair.a.channel.sendHtlc({
        amountMsat,
        paymentHash: preimageOf(1).paymentHash,
        cltvExpiry: 600,
        onionRoutingPacket: dummyOnion(1),
      });
    expectChannelError(() => send(4999n), X.Ignore, ChannelCheck.HtlcBelowMinimum);
    expectChannelError(() => send(300_000n), X.Ignore, ChannelCheck.DustExposure);
    pair.addHtlc(pair.a, 5_000_000n, 2);
    expectChannelError(() => send(5_000_000n), X.Ignore, ChannelCheck.TooManyHtlcs);
  });

  it('refuses an HTLC that would eat the fee spike buffer, and one it cannot afford', () => {
    const pair = ChannelPair.ready({ pushMsat: 980_000_000n });
    const send = (amountMsat: bigint): unknown =>
      pair.a.channel.sendHtlc({
        amountMsat,
        paymentHash: preimageOf(1).paymentHash,
        cltvExpiry: 600,
        onionRoutingPacket: dummyOnion(1),
      });
    expectChannelError(() => send(9_000_000n), X.Ignore, ChannelCheck.SenderCannotAfford);
    expectChannelError(() => send(7_000_000n), X.Ignore, ChannelCheck.FeeSpikeBuffer);
    pair.addHtlc(pair.a, 6_000_000n, 3);
  });
});

describe('BOLT 2 HTLC removal receiver checks', () => {
  function withHtlc(): { pair: ChannelPair; htlcId: bigint; preimage: Uint8Array } {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 8_000_000n, 1);
    pair.commit(pair.a);
    pair.b.takeEvents();
    return { pair, htlcId: h.htlcId, preimage: h.preimage };
  }

  it('fails the channel on an unknown id, a wrong preimage and a repeated fulfil', () => {
    const { pair, htlcId, preimage } = withHtlc();
    const fulfil = (id: bigint, p: Uint8Array): UpdateFulfillHtlcMessage => ({
      type: 'update_fulfill_htlc',
      channelId: pair.a.channel.state.channelId,
      id,
      paymentPreimage: p,
    });
    expectChannelError(
      () => pair.a.channel.handleMessage(fulfil(5n, preimage)),
      X.Close,
      ChannelCheck.UnknownHtlcId,
    );
    expectChannelError(
      () => pair.a.channel.handleMessage(fulfil(htlcId, new Uint8Array(32))),
      X.Close,
      ChannelCheck.PreimageMismatch,
    );
    pair.a.absorb(pair.a.channel.handleMessage(fulfil(htlcId, preimage)));
    expectChannelError(
      () => pair.a.channel.handleMessage(fulfil(htlcId, preimage)),
      X.Close,
      ChannelCheck.HtlcAlreadyRemoved,
    );
  });

  it('fails the channel on update_fail_malformed_htlc without the BADONION bit', () => {
    const { pair, htlcId } = withHtlc();
    expectChannelError(
      () =>
        pair.a.channel.handleMessage({
          type: 'update_fail_malformed_htlc',
          channelId: pair.a.channel.state.channelId,
          id: htlcId,
          sha256OfOnion: new Uint8Array(32),
          failureCode: 0x4005,
        }),
      X.Close,
      ChannelCheck.BadOnionBitMissing,
    );
    expectChannelError(
      () =>
        pair.a.channel.handleMessage({
          type: 'update_fail_htlc',
          channelId: pair.a.channel.state.channelId,
          id: 9n,
          reason: new Uint8Array(0),
        }),
      X.Close,
      ChannelCheck.UnknownHtlcId,
    );
  });

  it('refuses to settle an HTLC that is not irrevocably committed, or with a wrong preimage', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 8_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.expectDeliver(pair.a, 'update_add_htlc');
    pair.expectDeliver(pair.a, 'commitment_signed');
    // b holds it in its commitment but a has not revoked the state without it yet.
    expectChannelError(
      () => pair.b.channel.claimHtlc(h.htlcId, h.preimage),
      X.Ignore,
      ChannelCheck.UnknownHtlcId,
    );
    pair.deliverAll();
    expectChannelError(
      () => pair.b.channel.claimHtlc(h.htlcId, new Uint8Array(32)),
      X.Ignore,
      ChannelCheck.PreimageMismatch,
    );
    pair.b.absorb(pair.b.channel.failHtlc(h.htlcId, new Uint8Array(0)));
    expectChannelError(
      () => pair.b.channel.claimHtlc(h.htlcId, h.preimage),
      X.Ignore,
      ChannelCheck.HtlcAlreadyRemoved,
    );
  });
});
