// BOLT 2 "Channel Close": shutdown (script forms, upfront scripts, no new HTLCs, HTLCs drained
// first) and the closing_signed negotiation with fee_range; the closing transaction both sides
// end with passes the script interpreter against the funding output (BOLT 3 "Legacy Closing
// Transaction").
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import type { ChannelEvent } from '../../src/channel-manager/channel/events.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { parseTransaction } from '../../src/tx/transaction.js';
import type {
  ClosingSignedMessage,
  ShutdownMessage,
} from '../../src/wire/messages/channel-close.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import { ChannelPair, preimageOf } from '../support/channel-pair.js';
import { verifyTransaction } from '../support/script-interpreter.js';
import { expectChannelError } from './helpers.js';

const X = ChannelErrorAction;
const TAPROOT = Uint8Array.from([0x51, 0x20, ...new Array<number>(32).fill(9)]);

function closingTx(events: readonly ChannelEvent[]): Uint8Array {
  const e = events.find((x) => x.type === 'ClosingTxReady');
  if (e?.type !== 'ClosingTxReady') throw new Error('no ClosingTxReady');
  return e.closingTx;
}

function expectValidClose(pair: ChannelPair): Uint8Array {
  const aEvents = pair.a.takeEvents();
  const bEvents = pair.b.takeEvents();
  const tx = closingTx(aEvents);
  expect(closingTx(bEvents)).toEqual(tx);
  for (const events of [aEvents, bEvents]) {
    expect(events.at(-1)).toMatchObject({ type: 'ChannelClosed', kind: 'CooperativeClosure' });
  }
  expect(pair.a.channel.phase).toBe(ChannelPhase.Closed);
  expect(pair.b.channel.phase).toBe(ChannelPhase.Closed);
  const funding = parseTransaction(pair.fundingTx!).outputs[1]!;
  expect(
    verifyTransaction(tx, [{ scriptPubKey: funding.scriptPubkey, valueSat: funding.valueSat }]),
  ).toEqual({ ok: true });
  return tx;
}

describe('BOLT 2 shutdown and closing_signed', () => {
  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`closes a ${channelType} channel: funder proposes, the other accepts in range`, () => {
      const pair = ChannelPair.ready({ channelType });
      const h = pair.addHtlc(pair.a, 100_000_000n, 1);
      pair.commit(pair.a);
      pair.b.takeEvents();
      pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
      pair.commit(pair.b);
      pair.a.takeEvents();
      pair.b.absorb(pair.b.channel.initiateShutdown());
      expect(pair.b.pending()).toEqual(['shutdown']);
      pair.deliver(pair.b);
      // a answers with its shutdown and, as funder with nothing pending, its first offer.
      expect(pair.a.pending()).toEqual(['shutdown', 'closing_signed']);
      const offer = pair.a.outbox[1] as ClosingSignedMessage;
      expect(offer.feeRange).toBeDefined();
      pair.deliverAll();
      const tx = parseTransaction(expectValidClose(pair));
      const scripts = tx.outputs.map((o) => o.scriptPubkey);
      expect(scripts).toContainEqual(pair.a.keys.getShutdownScriptpubkey());
      expect(scripts).toContainEqual(pair.b.keys.getShutdownScriptpubkey());
      const bOut = tx.outputs.find((o) =>
        o.scriptPubkey.every((x, i) => x === pair.b.keys.getShutdownScriptpubkey()[i]),
      );
      expect(bOut!.valueSat).toBe(100_000n);
      // Shutdown scripts reached the monitors.
      expect(
        pair.b.monitorUpdates.flatMap((u) => u.steps).some((s) => s.type === 'ShutdownScript'),
      ).toBe(true);
    });
  }

  it('drains HTLCs before negotiating, with no new HTLCs either way', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 20_000_000n, 1);
    pair.commit(pair.a);
    pair.b.takeEvents();
    pair.a.absorb(pair.a.channel.initiateShutdown());
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ShutdownPending);
    expect(pair.b.channel.phase).toBe(ChannelPhase.ShutdownPending);
    expectChannelError(
      () => pair.addHtlc(pair.a, 1_000_000n, 2),
      X.Ignore,
      ChannelCheck.ChannelNotReady,
    );
    // An add from the peer after its shutdown fails the channel.
    expectChannelError(
      () =>
        pair.b.channel.handleMessage({
          type: 'update_add_htlc',
          channelId: pair.b.channel.state.channelId,
          id: 1n,
          amountMsat: 1_000_000n,
          paymentHash: preimageOf(2).paymentHash,
          cltvExpiry: 600,
          onionRoutingPacket: new Uint8Array(1366),
        }),
      X.Close,
      ChannelCheck.AddAfterShutdown,
    );
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.commit(pair.b);
    expectValidClose(pair);
  });

  it('the non-funder counters with a fee in the overlap; the funder confirms it', () => {
    const pair = ChannelPair.ready();
    // b wants a higher minimum than a proposes, within a's range.
    pair.b.feeEstimator.feerates.ChannelCloseMinimum = 3000;
    pair.a.absorb(pair.a.channel.initiateShutdown());
    pair.deliver(pair.a);
    pair.deliver(pair.b); // b's shutdown; a sends its offer
    const offer = pair.a.outbox[0] as ClosingSignedMessage;
    pair.deliver(pair.a);
    const counter = pair.b.outbox[0] as ClosingSignedMessage;
    expect(counter.type).toBe('closing_signed');
    expect(counter.feeSatoshis).toBeGreaterThan(offer.feeSatoshis);
    pair.deliverAll();
    const tx = parseTransaction(expectValidClose(pair));
    const paid = 1_000_000n - tx.outputs.reduce((s, o) => s + o.valueSat, 0n);
    expect(paid).toBe(counter.feeSatoshis);
  });

  it('warns on disjoint fee ranges and fails the channel on a bad closing signature', () => {
    const pair = ChannelPair.ready();
    pair.a.absorb(pair.a.channel.initiateShutdown());
    pair.deliver(pair.a);
    pair.deliver(pair.b);
    const offer = pair.a.outbox.shift() as ClosingSignedMessage;
    const bad = offer.signature.slice();
    bad[3]! ^= 1;
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...offer, signature: bad }),
      X.Close,
      ChannelCheck.BadClosingSignature,
    );
    const fresh = ChannelPair.ready();
    fresh.b.feeEstimator.feerates.ChannelCloseMinimum = 40_000;
    fresh.a.absorb(fresh.a.channel.initiateShutdown());
    fresh.deliver(fresh.a);
    fresh.deliver(fresh.b);
    expectChannelError(() => fresh.deliver(fresh.a), X.Warn, ChannelCheck.ClosingFeeRangeDisjoint);
  });

  it('accepts a taproot script with option_shutdown_anysegwit, warns without it', () => {
    const pair = ChannelPair.ready();
    pair.b.absorb(pair.b.channel.initiateShutdown(TAPROOT));
    pair.deliverAll();
    expect(
      parseTransaction(expectValidClose(pair)).outputs.map((o) => o.scriptPubkey),
    ).not.toContainEqual(TAPROOT); // b had no balance: its output is dust and removed
    const old = ChannelPair.ready({
      features: ourInitFeatures.without('option_shutdown_anysegwit'),
    });
    const shutdown: ShutdownMessage = {
      type: 'shutdown',
      channelId: old.a.channel.state.channelId,
      scriptpubkey: TAPROOT,
    };
    expectChannelError(
      () => old.a.channel.handleMessage(shutdown),
      X.Warn,
      ChannelCheck.ShutdownScriptInvalid,
    );
    expect(() => old.a.channel.initiateShutdown(TAPROOT)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }) as Error,
    );
  });

  it('fails the channel when the shutdown script is not the upfront one', () => {
    const upfront = Uint8Array.from([0x00, 0x14, ...new Array<number>(20).fill(5)]);
    const pair = ChannelPair.ready({ configB: { upfrontShutdownScript: upfront } });
    const shutdown: ShutdownMessage = {
      type: 'shutdown',
      channelId: pair.a.channel.state.channelId,
      scriptpubkey: pair.b.keys.getShutdownScriptpubkey(),
    };
    expectChannelError(
      () => pair.a.channel.handleMessage(shutdown),
      X.Close,
      ChannelCheck.ShutdownScriptNotUpfront,
    );
    // b itself closes to its upfront script.
    pair.b.absorb(pair.b.channel.initiateShutdown());
    expect((pair.b.outbox[0] as ShutdownMessage).scriptpubkey).toEqual(upfront);
  });

  it('refuses shutdown while our updates are unsigned, and the peer sending one with its own', () => {
    const pair = ChannelPair.ready();
    pair.addHtlc(pair.a, 1_000_000n, 1);
    expectChannelError(
      () => pair.a.channel.initiateShutdown(),
      X.Ignore,
      ChannelCheck.ShutdownWithPendingUpdates,
    );
    pair.deliver(pair.a); // b has a's update unsigned
    expectChannelError(
      () =>
        pair.b.channel.handleMessage({
          type: 'shutdown',
          channelId: pair.b.channel.state.channelId,
          scriptpubkey: pair.a.keys.getShutdownScriptpubkey(),
        }),
      X.Close,
      ChannelCheck.ShutdownWithPendingUpdates,
    );
  });

  it('restarts the negotiation after a reconnection', () => {
    const pair = ChannelPair.ready();
    pair.a.absorb(pair.a.channel.initiateShutdown());
    pair.deliver(pair.a);
    pair.deliver(pair.b);
    expect(pair.a.pending()).toEqual(['closing_signed']);
    pair.reconnect();
    // No commitment was exchanged since channel_ready, so BOLT 2 has it sent again too.
    expect(pair.a.pending()).toEqual(['channel_ready', 'shutdown', 'closing_signed']);
    pair.deliverAll();
    expectValidClose(pair);
  });
});

describe('BOLT 2 HTLCs crossing a shutdown', () => {
  it('accepts an add sent before the peer saw our shutdown, marked to be failed back', () => {
    const pair = ChannelPair.ready();
    pair.b.absorb(pair.b.channel.initiateShutdown());
    const h = pair.addHtlc(pair.a, 2_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliver(pair.a); // the add reaches b after b sent shutdown
    pair.deliverAll();
    const received = pair.b.takeEvents().find((e) => e.type === 'HtlcReceived');
    expect(received).toMatchObject({ htlcId: h.htlcId, refusal: 'shutting_down' });
    pair.b.absorb(pair.b.channel.failHtlc(h.htlcId, Uint8Array.of(1)));
    pair.commit(pair.b);
    expect(pair.a.events.map((e) => e.type)).toContain('HtlcFailed');
    expectValidClose(pair);
  });
});
