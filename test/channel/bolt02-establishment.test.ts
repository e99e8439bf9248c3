// BOLT 2 "Channel Establishment v1": open_channel, accept_channel, funding_created,
// funding_signed and channel_ready between two Channels, both channel types, channel_type
// negotiation, the funding signatures, the channel id, minimum depth and zero-conf.
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import { Channel } from '../../src/channel-manager/channel/channel.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { fundingScriptPubkey } from '../../src/tx/scripts/funding.js';
import { parseTransaction, serializeTransaction, txidToHex } from '../../src/tx/transaction.js';
import { computeTxid } from '../../src/tx/transaction.js';
import { toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';
import { Features } from '../../src/wire/features.js';
import type {
  AcceptChannelMessage,
  OpenChannelMessage,
} from '../../src/wire/messages/channel-establish.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import { shortChannelIdFromParts } from '../../src/wire/short-channel-id.js';
import {
  CHAIN_HASH,
  ChannelPair,
  FUNDING_HEIGHT,
  FUNDING_VALUE_SAT,
  fundingTransaction,
} from '../support/channel-pair.js';
import { expectChannelError, thrownBy } from './helpers.js';

const X = ChannelErrorAction;

function openMessage(pair: ChannelPair): OpenChannelMessage {
  pair.open();
  const m = pair.a.outbox[0];
  if (m?.type !== 'open_channel') throw new Error('no open_channel');
  return m;
}

function acceptWith(pair: ChannelPair, open: OpenChannelMessage): void {
  pair.a.outbox[0] = open;
  pair.accept();
}

describe('BOLT 2 open_channel / accept_channel: channel types', () => {
  it('proposes anchors_zero_fee_htlc_tx (bits 12 and 22) and the accepter echoes it', () => {
    const pair = new ChannelPair();
    const open = openMessage(pair);
    expect(Features.fromBytes(open.channelType!).bits()).toEqual([12, 22]);
    expect(open.upfrontShutdownScript).toEqual(new Uint8Array(0));
    expect(open.feerateSatPerKw).toBe(pair.a.feeEstimator.feerates.AnchorChannelFee);
    pair.accept();
    const accept = pair.b.outbox[0] as AcceptChannelMessage;
    expect(accept.type).toBe('accept_channel');
    expect(accept.channelType).toEqual(open.channelType);
    expect(pair.b.channel.state.channelType).toBe('anchors_zero_fee_htlc_tx');
  });

  it('proposes static_remotekey (bit 12) when configured not to propose anchors', () => {
    const pair = new ChannelPair({ channelType: 'static_remotekey' });
    const open = openMessage(pair);
    expect(Features.fromBytes(open.channelType!).bits()).toEqual([12]);
    expect(open.feerateSatPerKw).toBe(pair.a.feeEstimator.feerates.NonAnchorChannelFee);
    pair.accept();
    expect(pair.b.channel.state.channelType).toBe('static_remotekey');
  });

  it('proposes static_remotekey when the peer does not support option_anchors', () => {
    const pair = new ChannelPair({ features: ourInitFeatures.without('option_anchors') });
    expect(Features.fromBytes(openMessage(pair).channelType!).bits()).toEqual([12]);
  });

  it('fails the channel when open_channel has no channel_type', () => {
    const pair = new ChannelPair();
    const { channelType: _omit, ...open } = openMessage(pair);
    expectChannelError(() => acceptWith(pair, open), X.Close, ChannelCheck.ChannelTypeMissing);
  });

  for (const bits of [[12, 22, 46], [14], [12, 20], [13], [12, 50]]) {
    it(`fails the channel for the unsupported channel_type [${bits.join(', ')}]`, () => {
      const pair = new ChannelPair();
      const open = { ...openMessage(pair), channelType: Features.fromBits(bits).toBytes() };
      expectChannelError(
        () => acceptWith(pair, open),
        X.Close,
        ChannelCheck.ChannelTypeUnsupported,
      );
    });
  }

  it('accepts option_zeroconf in channel_type only from a trusted peer', () => {
    const pair = new ChannelPair({ configB: { trustedPeerZeroConf: true } });
    const open = { ...openMessage(pair), channelType: Features.fromBits([12, 22, 50]).toBytes() };
    acceptWith(pair, open);
    expect((pair.b.outbox[0] as AcceptChannelMessage).minimumDepth).toBe(0);
  });

  it('fails the channel when accept_channel has no channel_type or another one', () => {
    for (const [channelType, check] of [
      [undefined, ChannelCheck.ChannelTypeMissing],
      [Features.fromBits([12]).toBytes(), ChannelCheck.ChannelTypeMismatch],
    ] as const) {
      const pair = new ChannelPair();
      pair.open();
      pair.accept();
      const { channelType: _drop, ...accept } = pair.b.outbox.shift() as AcceptChannelMessage;
      const m = channelType === undefined ? accept : { ...accept, channelType };
      expectChannelError(() => pair.a.channel.handleMessage(m), X.Close, check);
      expect(pair.a.channel.phase).toBe(ChannelPhase.OurInitSent);
    }
  });
});

describe('BOLT 2 funding_created / funding_signed', () => {
  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`funds a ${channelType} channel: channel id, monitor update 0, events`, () => {
      const pair = new ChannelPair({ channelType });
      pair.fund();
      const fundingTx = parseTransaction(pair.fundingTx!);
      const txid = computeTxid(fundingTx);
      const index = fundingTx.outputs.findIndex((o) => o.valueSat === FUNDING_VALUE_SAT);
      expect(index).toBe(1);
      // BOLT 2: channel_id = funding_txid XOR funding_output_index (big-endian, last 2 bytes).
      const expectedId = txid.slice();
      expectedId[31]! ^= index;
      expect(pair.a.channel.channelId).toBe(toHex(expectedId));
      expect(pair.b.channel.channelId).toBe(toHex(expectedId));
      for (const node of [pair.a, pair.b]) {
        expect(node.channel.phase).toBe(ChannelPhase.AwaitingChannelReady);
        const [update] = node.monitorUpdates;
        expect(update!.updateId).toBe(0n);
        expect(update!.channelId).toBe(toHex(expectedId));
        expect(update!.steps.map((s) => s.type)).toEqual([
          'ChannelSetup',
          'LatestHolderCommitment',
          'LatestCounterpartyCommitment',
        ]);
      }
      const aEvents = pair.a.takeEvents();
      expect(aEvents.map((e) => e.type)).toEqual(['FundingTxBroadcastSafe', 'ChannelPending']);
      expect(aEvents[0]).toMatchObject({ fundingTx: pair.fundingTx });
      expect(aEvents[1]).toMatchObject({ fundingTxid: txidToHex(txid), fundingOutputIndex: 1 });
      expect(pair.b.takeEvents().map((e) => e.type)).toEqual(['ChannelPending']);
    });
  }

  it('holds funding_signed until monitor update 0 is persisted', () => {
    const pair = new ChannelPair();
    pair.b.autoPersist = false;
    pair.open();
    pair.accept();
    pair.deliver(pair.b);
    const ready = pair.a.takeEvents()[0]!;
    if (ready.type !== 'FundingGenerationReady') throw new Error('expected FundingGenerationReady');
    pair.a.absorb(
      pair.a.channel.fundingTransactionGenerated(
        fundingTransaction(ready.outputScript, ready.fundingValueSat),
      ),
    );
    pair.deliver(pair.a);
    expect(pair.b.pending()).toEqual([]);
    expect(pair.b.monitorUpdates.map((u) => u.updateId)).toEqual([0n]);
    pair.b.persistAll();
    expect(pair.b.pending()).toEqual(['funding_signed']);
  });

  it('refuses a funding transaction without the agreed output or with a non-segwit input', () => {
    const pair = new ChannelPair();
    pair.open();
    pair.accept();
    pair.deliver(pair.b);
    const ready = pair.a.takeEvents()[0]!;
    if (ready.type !== 'FundingGenerationReady') throw new Error('expected FundingGenerationReady');
    const wrongValue = fundingTransaction(ready.outputScript, ready.fundingValueSat - 1n);
    expect(thrownBy(() => pair.a.channel.fundingTransactionGenerated(wrongValue))).toMatchObject({
      code: ErrorCode.APIMisuse,
    });
    const legacy = parseTransaction(fundingTransaction(ready.outputScript, ready.fundingValueSat));
    const stripped = { ...legacy, inputs: legacy.inputs.map((i) => ({ ...i, witness: [] })) };
    expect(
      thrownBy(() => pair.a.channel.fundingTransactionGenerated(serializeTransaction(stripped))),
    ).toMatchObject({ code: ErrorCode.APIMisuse });
    expect(pair.a.channel.phase).toBe(ChannelPhase.FundingNegotiated);
  });

  it('fails the channel on a bad signature in funding_created or funding_signed', () => {
    const pair = new ChannelPair();
    pair.open();
    pair.accept();
    pair.deliver(pair.b);
    const ready = pair.a.takeEvents()[0]!;
    if (ready.type !== 'FundingGenerationReady') throw new Error('expected FundingGenerationReady');
    pair.a.absorb(
      pair.a.channel.fundingTransactionGenerated(
        fundingTransaction(ready.outputScript, ready.fundingValueSat),
      ),
    );
    const created = pair.a.outbox[0]!;
    if (created.type !== 'funding_created') throw new Error('expected funding_created');
    const badSig = created.signature.slice();
    badSig[40]! ^= 1;
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...created, signature: badSig }),
      X.Close,
      ChannelCheck.BadFundingSignature,
    );
    // A fresh pair: the funder gets a bad funding_signed, then one with the wrong channel id.
    const pair2 = new ChannelPair();
    pair2.open();
    pair2.accept();
    pair2.deliver(pair2.b);
    const r2 = pair2.a.takeEvents()[0]!;
    if (r2.type !== 'FundingGenerationReady') throw new Error('expected FundingGenerationReady');
    pair2.a.absorb(
      pair2.a.channel.fundingTransactionGenerated(
        fundingTransaction(r2.outputScript, r2.fundingValueSat),
      ),
    );
    pair2.deliver(pair2.a);
    const signed = pair2.b.outbox.shift()!;
    if (signed.type !== 'funding_signed') throw new Error('expected funding_signed');
    const bad = signed.signature.slice();
    bad[10]! ^= 1;
    expectChannelError(
      () => pair2.a.channel.handleMessage({ ...signed, signature: bad }),
      X.Close,
      ChannelCheck.BadFundingSignature,
    );
    const otherId = signed.channelId.slice();
    otherId[0]! ^= 1;
    expectChannelError(
      () => pair2.a.channel.handleMessage({ ...signed, channelId: otherId }),
      X.Close,
      ChannelCheck.ChannelIdMismatch,
    );
    pair2.a.absorb(pair2.a.channel.handleMessage(signed));
    expect(pair2.a.channel.phase).toBe(ChannelPhase.AwaitingChannelReady);
  });

  it('abandons a channel disconnected before funding_signed', () => {
    const pair = new ChannelPair();
    pair.open();
    pair.accept();
    const out = pair.b.channel.peerDisconnected();
    expect(pair.b.channel.phase).toBe(ChannelPhase.Closed);
    expect(out.events).toMatchObject([{ type: 'ChannelClosed', kind: 'FundingAborted' }]);
  });
});

describe('BOLT 2 channel_ready', () => {
  it('waits for minimum_depth, then exchanges channel_ready with aliases', () => {
    const pair = new ChannelPair();
    pair.fund();
    pair.a.takeEvents();
    pair.b.takeEvents();
    const minimumDepth = pair.b.channel.state.minimumDepth;
    expect(minimumDepth).toBe(6);
    expect(pair.a.channel.state.minimumDepth).toBe(6);
    for (const node of [pair.a, pair.b]) {
      node.absorb(
        node.channel.fundingConfirmed({
          height: FUNDING_HEIGHT,
          txIndex: 3,
          fundingTx: pair.fundingTx!,
        }),
      );
      node.absorb(node.channel.bestBlockUpdated(FUNDING_HEIGHT + minimumDepth - 2));
      expect(node.pending()).toEqual([]);
      node.absorb(node.channel.bestBlockUpdated(FUNDING_HEIGHT + minimumDepth - 1));
      expect(node.pending()).toEqual(['channel_ready']);
    }
    const aReady = pair.a.outbox[0]!;
    if (aReady.type !== 'channel_ready') throw new Error('expected channel_ready');
    expect(aReady.secondPerCommitmentPoint).toEqual(pair.a.channel.signer.getPerCommitmentPoint(1));
    expect(aReady.shortChannelIdAlias).toBe(pair.a.channel.state.ourAlias);
    pair.deliverAll();
    const scid = shortChannelIdFromParts(FUNDING_HEIGHT, 3, 1);
    for (const node of [pair.a, pair.b]) {
      expect(node.channel.phase).toBe(ChannelPhase.ChannelReady);
      const [ev] = node.takeEvents();
      expect(ev).toMatchObject({ type: 'ChannelReady', shortChannelId: scid });
      expect(node.channel.state.theirAlias).toBe(pair.other(node).channel.state.ourAlias);
    }
  });

  it('fails the channel when the confirmed transaction does not pay the funding output', () => {
    const pair = new ChannelPair();
    pair.fund();
    const other = fundingTransaction(
      fundingScriptPubkey(
        pair.a.channel.state.holderParams.pubkeys.fundingPubkey,
        pair.b.channel.state.holderParams.pubkeys.fundingPubkey,
      ),
      FUNDING_VALUE_SAT + 1n,
    );
    expectChannelError(
      () => pair.b.channel.fundingConfirmed({ height: FUNDING_HEIGHT, fundingTx: other }),
      X.Close,
      ChannelCheck.FundingOutputMismatch,
    );
  });

  it('rejects channel_ready before funding and an invalid second_per_commitment_point', () => {
    const pair = new ChannelPair();
    pair.fund();
    const bad = new Uint8Array(33).fill(0xff);
    bad[0] = 2;
    expectChannelError(
      () =>
        pair.a.channel.handleMessage({
          type: 'channel_ready',
          channelId: pair.a.channel.state.channelId,
          secondPerCommitmentPoint: bad,
        }),
      X.Close,
      ChannelCheck.InvalidPoint,
    );
    const early = new ChannelPair();
    early.open();
    early.accept();
    expectChannelError(
      () =>
        early.b.channel.handleMessage({
          type: 'channel_ready',
          channelId: early.b.channel.state.channelId,
          secondPerCommitmentPoint: early.a.channel.signer.getPerCommitmentPoint(1),
        }),
      X.Close,
      ChannelCheck.UnexpectedMessage,
    );
  });

  it('zero-conf with a trusted peer: channel_ready right after funding, no confirmation', () => {
    const pair = new ChannelPair({ configB: { trustedPeerZeroConf: true } });
    pair.open();
    pair.accept();
    const accept = pair.b.outbox[0] as AcceptChannelMessage;
    expect(accept.minimumDepth).toBe(0);
    pair.deliver(pair.b);
    const ready = pair.a.takeEvents()[0]!;
    if (ready.type !== 'FundingGenerationReady') throw new Error('expected FundingGenerationReady');
    pair.a.absorb(
      pair.a.channel.fundingTransactionGenerated(
        fundingTransaction(ready.outputScript, ready.fundingValueSat),
      ),
    );
    pair.deliver(pair.a);
    expect(pair.b.pending()).toEqual(['funding_signed', 'channel_ready']);
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ChannelReady);
    expect(pair.b.channel.phase).toBe(ChannelPhase.ChannelReady);
    expect(pair.a.channel.state.funding?.confirmationHeight).toBeUndefined();
  });

  it('a funder that is not trusted for zero-conf still opens when the peer asks 0 depth', () => {
    // The accepter decides minimum_depth; the funder trusts its own funding transaction.
    const pair = new ChannelPair({ configB: { trustedPeerZeroConf: true, minimumDepth: 0 } });
    pair.fund();
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ChannelReady);
  });
});

describe('Channel.openOutbound argument checks', () => {
  it('refuses push above the funding, 2^24 sat without large channels, and unaffordable fees', () => {
    const pair = new ChannelPair();
    for (const [fundingValueSat, pushMsat] of [
      [1000n, 1_000_001n],
      [1n << 24n, 0n],
      [1000n, 999_000n],
      [0n, 0n],
    ] as const) {
      expect(
        thrownBy(() =>
          Channel.openOutbound(
            {
              chainHash: CHAIN_HASH,
              fundingValueSat,
              pushMsat,
              userChannelId: 1n,
              theirFeatures: ourInitFeatures,
            },
            pair.a.options,
          ),
        ),
      ).toMatchObject({ code: ErrorCode.APIMisuse });
    }
  });
});
