// Channel monitors watching the test chain (BOLT 5): each way the funding output can be spent is
// noticed and classified on both sides (our commitment, theirs, a revoked one of theirs, a mutual
// close), a reorganization undoes the notice, and the monitors' claims (to_remote at once, to_local
// after to_self_delay, the justice transactions on a revoked to_local and on the output of the
// peer's HTLC transaction from its revoked commitment) pass the script interpreter and confirm.
// One side is fed through Listen, the other through Confirm.
import { describe, expect, it } from 'vitest';
import { ANTI_REORG_DELAY } from '../../../src/chain/channel-monitor.js';
import { computeTxid } from '../../../src/chain/txid.js';
import { FundingSpendKind, type MonitorEvent } from '../../../src/chain/watch.js';
import { parseTransaction } from '../../../src/tx/transaction.js';
import { equalBytes } from '../../../src/util/bytes.js';
import { ChannelPair, type Side } from './channel-pair.js';
import { preimageAndHash, replayMonitor, watchSide, type WatchedSide } from './helpers.js';

const TO_SELF_DELAY = 20;

interface Setup {
  readonly pair: ChannelPair;
  readonly a: WatchedSide;
  readonly b: WatchedSide;
}

function openWatched(anchors = false): Setup {
  let a: WatchedSide | undefined;
  let b: WatchedSide | undefined;
  const pair = ChannelPair.open({ anchors, toSelfDelay: TO_SELF_DELAY }, (p) => {
    a = watchSide(p, p.a, 'listen');
    b = watchSide(p, p.b, 'confirm');
  });
  return { pair, a: a!, b: b! };
}

/** One payment a to b, settled, so both commitments have moved past number 0. */
function pay(pair: ChannelPair, seed: number): void {
  const { preimage, hash } = preimageAndHash(seed);
  const id = pair.addHtlc(pair.a, 20_000_000n, hash, pair.chain.height + 100);
  pair.fulfillHtlc(pair.b, id, preimage);
}

function spentEvents(w: WatchedSide): MonitorEvent[] {
  return w.events.filter((e) => e.type === 'FundingSpent' || e.type === 'FundingSpendReorged');
}

/** Broadcasts that the chain accepted and that pay `side`'s destination script. */
function acceptedSweeps(w: WatchedSide, side: Side): string[] {
  const dest = side.keys.getDestinationScript();
  return w.broadcaster.broadcasts.flatMap((tx, i) => {
    const r = w.broadcaster.results[i]!;
    const paysUs = parseTransaction(tx).outputs.some((o) => equalBytes(o.scriptPubkey, dest));
    return r.accepted && paysUs ? [r.txid] : [];
  });
}

describe.each([false, true])('anchors=%s: a force-closes with its latest commitment', (anchors) => {
  it('both sides notice it, sweep, survive a reorg and end fully resolved', () => {
    const { pair, a, b } = openWatched(anchors);
    const { chain } = pair;
    pay(pair, 1);
    pay(pair, 2);
    const aMonitor = a.chainMonitor.getMonitor(a.fundingOutpoint())!;
    const bMonitor = b.chainMonitor.getMonitor(b.fundingOutpoint())!;
    const holderNumber = aMonitor.getLatestHolderCommitmentNumber();
    expect(holderNumber).toBeGreaterThan(1);

    // a fails the channel: its monitor broadcasts a's commitment; b's (told by `error`) tries
    // its own, which conflicts.
    pair.deliver(pair.a, pair.a.channel.forceClose('test'));
    expect(a.broadcaster.results).toEqual([{ accepted: true, txid: expect.any(String) }]);
    const commitmentTxid = a.broadcaster.results[0]!.accepted ? a.broadcaster.results[0]!.txid : '';
    expect(b.broadcaster.results.map((r) => (r.accepted ? 'ok' : r.reason))).toEqual([
      'MempoolConflict',
    ]);

    chain.mineBlocks(1);
    const spendHeight = chain.height;
    const spent = (kind: string): unknown => ({
      type: 'FundingSpent',
      spendKind: kind,
      txid: commitmentTxid,
      height: spendHeight,
      commitmentNumber: holderNumber,
      fundingOutpoint: a.fundingOutpoint(),
      channelId: aMonitor.channelId,
      seenAt: spendHeight,
    });
    expect(spentEvents(a)).toEqual([spent(FundingSpendKind.HolderCommitment)]);
    expect(spentEvents(b)).toEqual([spent(FundingSpendKind.CounterpartyCommitment)]);
    // b's to_remote is swept at once: a plain P2WPKH spend, or with anchors a spend whose
    // nSequence 1 (CSV) lets it into the block after the commitment's.
    const [toRemoteSweep] = acceptedSweeps(b, pair.b);
    expect(toRemoteSweep).toBeDefined();
    const sweepTx = parseTransaction(chain.getTx(toRemoteSweep!)!);
    expect(sweepTx.inputs[0]!.sequence).toBe(anchors ? 1 : 0xfffffffd);

    // The block is reorganized out: both sides forget the spend.
    chain.reorg(1, 2);
    expect(spentEvents(a).map((e) => e.type)).toEqual(['FundingSpent', 'FundingSpendReorged']);
    expect(spentEvents(b).map((e) => e.type)).toEqual(['FundingSpent', 'FundingSpendReorged']);
    expect(aMonitor.getFundingSpend()).toBeUndefined();
    expect(bMonitor.getClaims()).toEqual([]);
    expect(bMonitor.getRelevantTxids()).toEqual([]);

    // It confirms again (with b's sweep if it was in the mempool): noticed again.
    chain.mineBlocks(1);
    const again = chain.height;
    expect(spentEvents(a).map((e) => e.type)).toEqual([
      'FundingSpent',
      'FundingSpendReorged',
      'FundingSpent',
    ]);
    expect(aMonitor.getFundingSpend()).toEqual({
      kind: FundingSpendKind.HolderCommitment,
      txid: commitmentTxid,
      height: again,
      commitmentNumber: holderNumber,
      final: false,
    });
    expect(bMonitor.getRelevantTxids().map((r) => r.txid)).toContain(commitmentTxid);

    chain.mineBlocks(1);
    const [bClaim] = bMonitor.getClaims();
    expect(bClaim).toMatchObject({ kind: 'CounterpartyToRemote', resolved: false });
    expect(bClaim!.spentBy).toBeDefined();
    expect(chain.getConfirmations(bClaim!.spentBy!)).toBeGreaterThan(0);

    // a's to_local: nothing before to_self_delay, then the sweep enters the very next block.
    const [aClaim] = aMonitor.getClaims();
    expect(aClaim).toMatchObject({
      kind: 'HolderToLocal',
      spendableHeight: again + TO_SELF_DELAY,
    });
    while (chain.height < again + TO_SELF_DELAY - 2) {
      chain.mineBlocks(1);
      expect(acceptedSweeps(a, pair.a)).toEqual([]);
    }
    chain.mineBlocks(1);
    const [sweep] = acceptedSweeps(a, pair.a);
    expect(sweep).toBeDefined();
    expect(aMonitor.getFundingSpend()!.final).toBe(true);
    chain.mineBlocks(1);
    expect(chain.getConfirmations(sweep!)).toBe(1);
    expect(aMonitor.getClaims()[0]!.spentBy).toBe(sweep);

    // Deep enough: everything resolved, the monitors can be archived.
    chain.mineBlocks(ANTI_REORG_DELAY);
    expect(aMonitor.isFullyResolved()).toBe(true);
    expect(bMonitor.isFullyResolved()).toBe(true);
    expect(aMonitor.getRelevantTxids()).toEqual([]);
    expect(a.chainMonitor.archiveFullyResolvedChannelMonitors()).toEqual([a.fundingOutpoint()]);
    expect(a.chainMonitor.listMonitors()).toEqual([]);
    expect(a.persister.calls.at(-1)).toMatchObject({ kind: 'archive' });
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

describe('a revoked commitment of the peer confirms', () => {
  it('is recognised as revoked and punished with a justice transaction', () => {
    const { pair, a, b } = openWatched();
    const { chain } = pair;
    // b's first commitment, fully signed, kept before it is revoked.
    const stale = replayMonitor(pair.b).getLatestHolderCommitmentTxn();
    pay(pair, 3);
    pay(pair, 4);
    const aMonitor = a.chainMonitor.getMonitor(a.fundingOutpoint())!;
    const bMonitor = b.chainMonitor.getMonitor(b.fundingOutpoint())!;

    const txid = chain.broadcast(stale);
    chain.mineBlocks(1);
    expect(aMonitor.getFundingSpend()).toMatchObject({
      kind: FundingSpendKind.RevokedCounterpartyCommitment,
      txid,
      commitmentNumber: 0,
    });
    // b's own monitor sees its stale commitment for what it is: its own.
    expect(bMonitor.getFundingSpend()).toMatchObject({
      kind: FundingSpendKind.HolderCommitment,
      commitmentNumber: 0,
    });
    expect(
      aMonitor
        .getClaims()
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['CounterpartyToRemote', 'RevokedToLocal']);
    // The justice transaction and a's to_remote sweep go out at once and pass the interpreter.
    const sweeps = acceptedSweeps(a, pair.a);
    expect(sweeps).toHaveLength(2);
    const justice = aMonitor.getClaims().find((c) => c.kind === 'RevokedToLocal')!;
    const staleTx = parseTransaction(stale);
    expect(justice.valueSat).toBe(staleTx.outputs[justice.outpoint.index]!.valueSat);
    chain.mineBlocks(1);
    for (const c of aMonitor.getClaims()) {
      expect(c.spentBy).toBeDefined();
      expect(sweeps).toContain(c.spentBy);
    }
    // b's delayed claim of the same output can never confirm now.
    expect(bMonitor.getClaims()[0]).toMatchObject({ kind: 'HolderToLocal' });
    expect(bMonitor.getClaims()[0]!.spentBy).toBe(
      aMonitor.getClaims().find((c) => c.kind === 'RevokedToLocal')!.spentBy,
    );
    chain.mineBlocks(ANTI_REORG_DELAY);
    expect(aMonitor.getClaims().every((c) => c.resolved)).toBe(true);
    expect(aMonitor.isFullyResolved()).toBe(true);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("punishes the output of the peer's HTLC transaction on its revoked commitment", () => {
    const { pair, a } = openWatched();
    const { chain } = pair;
    const { preimage, hash } = preimageAndHash(6);
    const expiry = chain.height + 8;
    const id = pair.addHtlc(pair.b, 9_000_000n, hash, expiry);
    // b's monitor while the HTLC is in its commitment: what a cheating b would keep.
    const cheat = replayMonitor(pair.b);
    pair.fulfillHtlc(pair.a, id, preimage);
    pay(pair, 7);
    const aMonitor = a.chainMonitor.getMonitor(a.fundingOutpoint())!;

    const revoked = chain.broadcast(cheat.getLatestHolderCommitmentTxn());
    const feedCheat = (): void => {
      chain.mineBlocks(1);
      cheat.blockConnected(chain.getBlock(chain.height)!, chain.height);
      for (const tx of cheat.takeTransactionsToBroadcast()) chain.submit(tx);
    };
    feedCheat();
    expect(aMonitor.getFundingSpend()).toMatchObject({
      kind: FundingSpendKind.RevokedCounterpartyCommitment,
      txid: revoked,
    });
    expect(
      aMonitor
        .getClaims()
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['CounterpartyToRemote', 'RevokedHtlcOutput', 'RevokedToLocal']);
    // b times its HTLC out with the HTLC-timeout transaction a signed long ago...
    while (chain.height <= expiry) feedCheat();
    const watched = aMonitor.getClaims().find((c) => c.kind === 'RevokedHtlcOutput')!;
    expect(watched.spentBy).toBeDefined();
    // ...and a takes that transaction's output with the revocation key before b's delay ends.
    const punish = aMonitor.getClaims().find((c) => c.outpoint.txid === watched.spentBy)!;
    expect(punish).toMatchObject({ kind: 'RevokedToLocal', spentBy: undefined });
    chain.mineBlocks(1);
    const after = aMonitor.getClaims().find((c) => c.outpoint.txid === watched.spentBy)!;
    expect(after.spentBy).toBeDefined();
    expect(acceptedSweeps(a, pair.a)).toContain(after.spentBy);
    chain.mineBlocks(ANTI_REORG_DELAY);
    expect(aMonitor.isFullyResolved()).toBe(true);
    expect(a.errors).toEqual([]);
  });
});

describe('a mutual close confirms', () => {
  it('is recognised by both sides with nothing to claim', () => {
    const { pair, a, b } = openWatched();
    const { chain } = pair;
    pay(pair, 5);
    pair.deliver(pair.a, pair.a.channel.initiateShutdown());
    const ready = [...pair.a.events, ...pair.b.events].find((e) => e.type === 'ClosingTxReady');
    expect(ready).toBeDefined();
    const closingTx = ready!.type === 'ClosingTxReady' ? ready!.closingTx : new Uint8Array(0);
    chain.mineBlocks(1, [closingTx]);
    for (const w of [a, b]) {
      const monitor = w.chainMonitor.getMonitor(w.fundingOutpoint())!;
      expect(monitor.getFundingSpend()).toMatchObject({
        kind: FundingSpendKind.CooperativeClose,
        txid: computeTxid(closingTx),
        commitmentNumber: undefined,
      });
      expect(monitor.getClaims()).toEqual([]);
      expect(acceptedSweeps(w, w === a ? pair.a : pair.b)).toEqual([]);
      expect(w.persister.calls.some((c) => c.kind === 'update' && c.updateId === undefined)).toBe(
        true,
      );
    }
    chain.mineBlocks(ANTI_REORG_DELAY - 2);
    expect(a.chainMonitor.archiveFullyResolvedChannelMonitors()).toEqual([]);
    chain.mineBlocks(1);
    expect(a.chainMonitor.archiveFullyResolvedChannelMonitors()).toEqual([a.fundingOutpoint()]);
  });
});
