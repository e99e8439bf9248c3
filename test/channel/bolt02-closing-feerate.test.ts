// BOLT 2 "Legacy Closing Negotiation" with a target feerate from the host (`initiateShutdown`'s
// `targetFeerateSatPerKw`, what `closeChannel` passes): the closing transaction both sides end
// with pays about that feerate whichever side asked for it, within what the funder's fee_range
// allows; the target is kept in the channel state across serialization; and the closing
// transaction passes the script interpreter against the funding output (BOLT 3 "Legacy Closing
// Transaction").
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../src/channel-manager/channel/events.js';
import {
  deserializeChannel,
  deserializeChannelState,
  serializeChannel,
  serializeChannelState,
} from '../../src/channel-manager/channel/serialize.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { parseTransaction, transactionWeight } from '../../src/tx/transaction.js';
import { ErrorCode } from '../../src/util/errors.js';
import type { ClosingSignedMessage } from '../../src/wire/messages/channel-close.js';
import { ChannelPair, FUNDING_VALUE_SAT, type TestNode } from '../support/channel-pair.js';
import { verifyTransaction } from '../support/script-interpreter.js';
import { thrownBy } from './helpers.js';

/** b holds 300,000 sat, so both outputs of the closing transaction exist. */
const PUSH_MSAT = 300_000_000n;

interface Close {
  readonly feeSat: bigint;
  /** The fee over the weight of the signed transaction, in sat per 1000 weight units. */
  readonly feerateSatPerKw: number;
}

function closingTxOf(events: readonly ChannelEvent[]): Uint8Array {
  const e = events.find((x) => x.type === 'ClosingTxReady');
  if (e?.type !== 'ClosingTxReady') throw new Error('no ClosingTxReady');
  return e.closingTx;
}

/** Both sides closed with the same transaction, which spends the funding output validly. */
function expectClosed(pair: ChannelPair): Close {
  const bytes = closingTxOf(pair.a.takeEvents());
  expect(closingTxOf(pair.b.takeEvents())).toEqual(bytes);
  expect(pair.a.channel.phase).toBe(ChannelPhase.Closed);
  expect(pair.b.channel.phase).toBe(ChannelPhase.Closed);
  const funding = parseTransaction(pair.fundingTx!).outputs[1]!;
  expect(
    verifyTransaction(bytes, [{ scriptPubKey: funding.scriptPubkey, valueSat: funding.valueSat }]),
  ).toEqual({ ok: true });
  const tx = parseTransaction(bytes);
  expect(tx.outputs).toHaveLength(2);
  const feeSat = FUNDING_VALUE_SAT - tx.outputs.reduce((s, o) => s + o.valueSat, 0n);
  return { feeSat, feerateSatPerKw: (Number(feeSat) * 1000) / transactionWeight(tx) };
}

/**
 * The fee was computed on an estimated witness (two signatures of at most 73 bytes): the real
 * feerate is the target or up to 2% above it, never below.
 */
function expectFeerateNear(close: Close, targetSatPerKw: number): void {
  expect(close.feerateSatPerKw).toBeGreaterThanOrEqual(targetSatPerKw);
  expect(close.feerateSatPerKw).toBeLessThan(targetSatPerKw * 1.02);
}

/** The `closing_signed` messages in `node`'s outbox, delivering everything until none is left. */
function deliverAllRecording(pair: ChannelPair): Map<TestNode, ClosingSignedMessage[]> {
  const sent = new Map<TestNode, ClosingSignedMessage[]>([
    [pair.a, []],
    [pair.b, []],
  ]);
  for (let guard = 0; guard < 100; guard++) {
    const from = pair.a.outbox.length > 0 ? pair.a : pair.b.outbox.length > 0 ? pair.b : undefined;
    if (from === undefined) return sent;
    const m = pair.deliver(from);
    if (m.type === 'closing_signed') sent.get(from)!.push(m);
  }
  throw new Error('messages keep coming');
}

describe('BOLT 2 closing negotiation at a target feerate', () => {
  it('the funder opens at its target and the peer takes it', () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    pair.a.absorb(pair.a.channel.initiateShutdown(undefined, 5000));
    expect(pair.a.channel.state.targetClosingFeerateSatPerKw).toBe(5000);
    const sent = deliverAllRecording(pair);
    const [offer, ...rest] = sent.get(pair.a)!;
    // Two messages: the peer answered with the same fee.
    expect(rest).toEqual([]);
    expect(sent.get(pair.b)!.map((m) => m.feeSatoshis)).toEqual([offer!.feeSatoshis]);
    // The range: down to the estimator's close minimum (253 sat/kW), up to twice the offer.
    expect(offer!.feeRange!.maxFeeSatoshis).toBe(offer!.feeSatoshis * 2n);
    expect(offer!.feeRange!.minFeeSatoshis).toBeLessThan(offer!.feeSatoshis / 19n);
    const close = expectClosed(pair);
    expect(close.feeSat).toBe(offer!.feeSatoshis);
    expectFeerateNear(close, 5000);
  });

  it('without a target the funder opens at the estimator feerate', () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    pair.a.absorb(pair.a.channel.initiateShutdown());
    deliverAllRecording(pair);
    // The test estimator's NonAnchorChannelFee.
    expectFeerateNear(expectClosed(pair), 2500);
  });

  it('a target below the close minimum lowers the minimum of the range too', () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    pair.a.feeEstimator.feerates.ChannelCloseMinimum = 1000;
    pair.a.absorb(pair.a.channel.initiateShutdown(undefined, 300));
    const [offer] = deliverAllRecording(pair).get(pair.a)!;
    expect(offer!.feeRange!.minFeeSatoshis).toBe(offer!.feeSatoshis);
    expectFeerateNear(expectClosed(pair), 300);
  });

  it('the non-funder answers the funder with the fee at its target, which the funder confirms', () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    pair.b.absorb(pair.b.channel.initiateShutdown(undefined, 4000));
    const sent = deliverAllRecording(pair);
    const [offer, confirmation] = sent.get(pair.a)!;
    const [answer] = sent.get(pair.b)!;
    // The funder's own proposal is at its estimate (2500); b counters within a's range.
    expect(answer!.feeSatoshis).toBeGreaterThan(offer!.feeSatoshis);
    expect(confirmation!.feeSatoshis).toBe(answer!.feeSatoshis);
    const close = expectClosed(pair);
    expect(close.feeSat).toBe(answer!.feeSatoshis);
    expectFeerateNear(close, 4000);
  });

  it("the non-funder's target is capped by the funder's maximum", () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    pair.b.absorb(pair.b.channel.initiateShutdown(undefined, 20_000));
    const sent = deliverAllRecording(pair);
    const [offer] = sent.get(pair.a)!;
    const close = expectClosed(pair);
    expect(close.feeSat).toBe(offer!.feeRange!.maxFeeSatoshis);
    // Twice the funder's 2500 sat/kW proposal.
    expectFeerateNear(close, 5000);
  });

  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`keeps the target through serialization while HTLCs drain (${channelType})`, () => {
      const pair = ChannelPair.ready({ channelType, pushMsat: PUSH_MSAT, roundTrip: true });
      const h = pair.addHtlc(pair.a, 20_000_000n, 1);
      pair.commit(pair.a);
      pair.b.takeEvents();
      pair.a.absorb(pair.a.channel.initiateShutdown(undefined, 7000));
      pair.deliverAll();
      expect(pair.a.channel.phase).toBe(ChannelPhase.ShutdownPending);
      const before = pair.a.roundTrips;
      pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
      pair.b.absorb(pair.b.channel.sendCommitment());
      deliverAllRecording(pair);
      // Every step above restored a from its bytes.
      expect(pair.a.roundTrips).toBeGreaterThan(before + 2);
      expectFeerateNear(expectClosed(pair), 7000);
    });
  }

  it('stores the target as an odd record that older bytes simply lack', () => {
    const pair = ChannelPair.ready({ pushMsat: PUSH_MSAT });
    const h = pair.addHtlc(pair.a, 20_000_000n, 1);
    pair.commit(pair.a);
    pair.a.absorb(pair.a.channel.initiateShutdown(undefined, 6000));
    const { state } = pair.a.channel;
    const signerState = pair.a.channel.signer.serializeState();
    const bytes = serializeChannelState(state, signerState);
    expect(deserializeChannelState(bytes).state.targetClosingFeerateSatPerKw).toBe(6000);
    // Bytes written before the field existed: the same state without the record (type 91).
    const old = serializeChannelState(
      { ...state, targetClosingFeerateSatPerKw: undefined },
      signerState,
    );
    // The new record comes last: type 91, length 4, the feerate as a u32.
    expect(bytes.subarray(0, old.length)).toEqual(old);
    expect(Array.from(bytes.subarray(old.length))).toEqual([91, 4, 0, 0, 0x17, 0x70]);
    const restored = deserializeChannelState(old).state;
    expect(restored.targetClosingFeerateSatPerKw).toBeUndefined();
    expect(restored.shutdownSent).toBe(true);
    // A channel read back from the old bytes closes at the estimator's feerate.
    pair.a.channel = deserializeChannel(old, pair.a.options);
    expect(serializeChannel(pair.a.channel)).toEqual(old);
    pair.deliverAll();
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.b.absorb(pair.b.channel.sendCommitment());
    pair.deliverAll();
    pair.a.takeEvents();
    pair.b.takeEvents();
    expect(pair.a.channel.phase).toBe(ChannelPhase.Closed);
  });

  it('refuses a target that is not an integer from 253 sat/kW to the u32 maximum', () => {
    const pair = ChannelPair.ready();
    for (const bad of [252, 0, -1, 1000.5, Number.NaN, 2 ** 32]) {
      expect(thrownBy(() => pair.a.channel.initiateShutdown(undefined, bad))).toMatchObject({
        code: ErrorCode.APIMisuse,
      });
    }
    expect(pair.a.channel.state.shutdownSent).toBe(false);
    expect(pair.a.channel.state.targetClosingFeerateSatPerKw).toBeUndefined();
    pair.a.absorb(pair.a.channel.initiateShutdown(undefined, 253));
    expect(pair.a.channel.state.targetClosingFeerateSatPerKw).toBe(253);
  });
});
