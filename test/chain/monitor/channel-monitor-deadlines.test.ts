// HTLC deadlines only the chain can enforce (BOLT 2 cltv_expiry requirements, BOLT 5): the
// monitor raises HtlcExpiringSoon exactly at the height LDK's rules give, once per HTLC, also
// across a restart: an HTLC we offered at cltv_expiry + LATENCY_GRACE_PERIOD_BLOCKS, one we
// received and hold the preimage of at cltv_expiry - CLTV_CLAIM_BUFFER; never one we received
// without the preimage.
import { describe, expect, it } from 'vitest';
import { ChannelMonitor } from '../../../src/chain/channel-monitor.js';
import {
  CLTV_CLAIM_BUFFER,
  LATENCY_GRACE_PERIOD_BLOCKS,
} from '../../../src/chain/channel-monitor-deadlines.js';
import { toHex } from '../../../src/util/bytes.js';
import { ChannelPair, type StepUpdate } from './channel-pair.js';
import { preimageAndHash, watchSide, type WatchedSide } from './helpers.js';

describe('HtlcExpiringSoon', () => {
  it('is raised at the deadline of each unresolved HTLC, once', () => {
    let a: WatchedSide | undefined;
    let b: WatchedSide | undefined;
    const pair = ChannelPair.open({}, (p) => {
      a = watchSide(p, p.a, 'listen');
      b = watchSide(p, p.b, 'confirm');
    });
    const { chain } = pair;
    const start = chain.height;
    const claimed = preimageAndHash(7);
    const stuck = preimageAndHash(8);
    const claimedExpiry = start + 60;
    const stuckExpiry = start + 40;
    const claimedId = pair.addHtlc(pair.a, 10_000_000n, claimed.hash, claimedExpiry);
    const stuckId = pair.addHtlc(pair.a, 10_000_000n, stuck.hash, stuckExpiry);
    // b learns (and reveals) the preimage, but the removal is never committed.
    pair.deliver(pair.b, pair.b.channel.claimHtlc(claimedId, claimed.preimage));

    const bDue = claimedExpiry - CLTV_CLAIM_BUFFER;
    const aDue = stuckExpiry + LATENCY_GRACE_PERIOD_BLOCKS;
    const expiring = (w: WatchedSide): unknown[] =>
      w.events.filter((e) => e.type === 'HtlcExpiringSoon');
    while (chain.height < aDue + 2) {
      chain.mineBlocks(1);
      if (chain.height < bDue) expect(expiring(b!)).toEqual([]);
      if (chain.height < aDue) expect(expiring(a!)).toEqual([]);
    }
    const aMonitor = a!.chainMonitor.getMonitor(a!.fundingOutpoint())!;
    expect(expiring(b!)).toEqual([
      {
        type: 'HtlcExpiringSoon',
        fundingOutpoint: b!.fundingOutpoint(),
        channelId: aMonitor.channelId,
        offered: false,
        htlcId: claimedId,
        paymentHash: toHex(claimed.hash),
        cltvExpiry: claimedExpiry,
        height: bDue,
        seenAt: bDue,
      },
    ]);
    expect(expiring(a!)).toEqual([
      {
        type: 'HtlcExpiringSoon',
        fundingOutpoint: a!.fundingOutpoint(),
        channelId: aMonitor.channelId,
        offered: true,
        htlcId: stuckId,
        paymentHash: toHex(stuck.hash),
        cltvExpiry: stuckExpiry,
        height: aDue,
        seenAt: aDue,
      },
    ]);
    // The chain-triggered change was persisted, and a restarted monitor does not repeat it.
    expect(a!.persister.calls.some((c) => c.kind === 'update' && c.updateId === undefined)).toBe(
      true,
    );
    const restarted = ChannelMonitor.read(aMonitor.serialize(), { keys: pair.a.keys });
    restarted.bestBlockUpdated(chain.getHeader(chain.height)!, chain.height);
    expect(restarted.getAndClearPendingMonitorEvents()).toEqual([]);
  });

  it('stops once the channel is force-closed', () => {
    let a: WatchedSide | undefined;
    const pair = ChannelPair.open({}, (p) => {
      a = watchSide(p, p.a, 'listen');
    });
    const { chain } = pair;
    const { hash } = preimageAndHash(9);
    pair.addHtlc(pair.a, 10_000_000n, hash, chain.height + 5);
    const monitor = a!.chainMonitor.getMonitor(a!.fundingOutpoint())!;
    const close: StepUpdate = {
      updateId: monitor.getLatestUpdateId() + 1n,
      channelId: monitor.channelId,
      steps: [{ type: 'ChannelForceClosed', shouldBroadcast: false }],
    };
    monitor.update(close);
    chain.mineBlocks(10);
    expect(a!.events.filter((e) => e.type === 'HtlcExpiringSoon')).toEqual([]);
  });
});
