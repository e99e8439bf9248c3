// HTLC outputs of our own confirmed commitment (BOLT 5 "Local Commitment Transaction: HTLC
// Output Handling"): the monitor broadcasts the pre-signed HTLC-success transaction as soon as it
// knows the preimage, the HTLC-timeout transaction in the block after cltv_expiry and not
// before, and then sweeps each one's to_local-style output after to_self_delay. Every
// transaction is accepted by the test chain's script-checking mempool.
import { describe, expect, it } from 'vitest';
import { ChannelMonitor } from '../../../src/chain/channel-monitor.js';
import { FundingSpendKind } from '../../../src/chain/watch.js';
import { parseTransaction, txidToHex } from '../../../src/tx/transaction.js';
import { ChannelPair } from './channel-pair.js';
import { preimageAndHash, watchSide, type WatchedSide } from './helpers.js';

const TO_SELF_DELAY = 6;

function openWatched(anchors = false): { pair: ChannelPair; a: WatchedSide; b: WatchedSide } {
  let a: WatchedSide | undefined;
  let b: WatchedSide | undefined;
  const pair = ChannelPair.open({ toSelfDelay: TO_SELF_DELAY, anchors }, (p) => {
    a = watchSide(p, p.a, 'listen');
    b = watchSide(p, p.b, 'confirm');
  });
  return { pair, a: a!, b: b! };
}

function monitorOf(w: WatchedSide): ChannelMonitor {
  return w.chainMonitor.getMonitor(w.fundingOutpoint())!;
}

/**
 * Mines `n` blocks one at a time, so what the monitors broadcast while a block is connected
 * enters the next one (`mineBlocks(n)` only fills the first of its blocks from the mempool).
 */
function mine(pair: ChannelPair, n: number): void {
  for (let i = 0; i < n; i++) pair.chain.mineBlocks(1);
}

/** Txids of accepted broadcasts so far. */
function accepted(w: WatchedSide): string[] {
  return w.broadcaster.results.flatMap((r) => (r.accepted ? [r.txid] : []));
}

describe('HTLC outputs of our confirmed commitment', () => {
  it('are claimed with HTLC-success once the preimage is known, then swept', () => {
    const { pair, a, b } = openWatched();
    const { chain } = pair;
    const expiry = chain.height + 40;
    const known = preimageAndHash(1);
    const unknown = preimageAndHash(2);
    const knownId = pair.addHtlc(pair.a, 12_000_000n, known.hash, expiry);
    pair.addHtlc(pair.a, 11_000_000n, unknown.hash, expiry);
    pair.deliver(pair.b, pair.b.channel.claimHtlc(knownId, known.preimage));

    pair.deliver(pair.b, pair.b.channel.forceClose('test'));
    const [commitment] = accepted(b);
    chain.mineBlocks(1);
    const bMonitor = monitorOf(b);
    expect(bMonitor.getFundingSpend()).toMatchObject({ kind: FundingSpendKind.HolderCommitment });
    expect(monitorOf(a).getFundingSpend()).toMatchObject({
      kind: FundingSpendKind.CounterpartyCommitment,
    });
    const kinds = bMonitor
      .getClaims()
      .map((c) => c.kind)
      .sort();
    expect(kinds).toEqual(['HolderHtlcSuccess', 'HolderHtlcSuccess', 'HolderToLocal']);

    // Only the HTLC whose preimage b knows goes out, at once.
    const success = accepted(b).filter((t) => t !== commitment);
    expect(success).toHaveLength(1);
    const successTx = parseTransaction(chain.getTx(success[0]!)!);
    expect(successTx.inputs[0]!.witness[3]).toEqual(known.preimage);
    chain.mineBlocks(1);
    const stage2 = bMonitor.getClaims().find((c) => c.outpoint.txid === success[0]);
    expect(stage2).toMatchObject({
      kind: 'HolderToLocal',
      spendableHeight: chain.height + TO_SELF_DELAY,
    });
    mine(pair, TO_SELF_DELAY);
    const swept = bMonitor.getClaims().find((c) => c.outpoint.txid === success[0])!;
    expect(swept.spentBy).toBeDefined();
    expect(accepted(b)).toContain(swept.spentBy);
    // The other received HTLC stays unclaimed: b never learnt its preimage.
    const waiting = bMonitor
      .getClaims()
      .filter((c) => c.kind === 'HolderHtlcSuccess' && c.spentBy === undefined);
    expect(waiting).toHaveLength(1);
    expect(bMonitor.isFullyResolved()).toBe(false);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('are claimed with HTLC-timeout in the block after expiry, then swept', () => {
    const { pair, a } = openWatched();
    const { chain } = pair;
    const expiry = chain.height + 12;
    pair.addHtlc(pair.a, 9_000_000n, preimageAndHash(3).hash, expiry);
    pair.deliver(pair.a, pair.a.channel.forceClose('test'));
    expect(accepted(a)).toHaveLength(1);
    chain.mineBlocks(1);
    const aMonitor = monitorOf(a);
    const timeout = aMonitor.getClaims().find((c) => c.kind === 'HolderHtlcTimeout')!;
    expect(timeout.spendableHeight).toBe(expiry + 1);
    const spendsTimeout = (txid: string): boolean =>
      parseTransaction(chain.getTx(txid)!).inputs.some(
        (i) =>
          i.prevout.vout === timeout.outpoint.index &&
          txidToHex(i.prevout.txid) === timeout.outpoint.txid,
      );
    const timeouts = (): string[] => accepted(a).filter(spendsTimeout);
    while (chain.height < expiry) {
      expect(timeouts()).toEqual([]);
      chain.mineBlocks(1);
    }
    // At the tip `expiry` the timeout transaction (nLockTime = expiry) fits the next block.
    expect(timeouts()).toHaveLength(1);
    const timeoutTxid = timeouts()[0]!;
    expect(parseTransaction(chain.getTx(timeoutTxid)!).locktime).toBe(expiry);
    chain.mineBlocks(1);
    expect(aMonitor.getClaims().find((c) => c.kind === 'HolderHtlcTimeout')!.spentBy).toBe(
      timeoutTxid,
    );
    mine(pair, TO_SELF_DELAY + 6);
    const second = aMonitor.getClaims().find((c) => c.outpoint.txid === timeoutTxid)!;
    expect(second.spentBy).toBeDefined();
    expect(accepted(a)).toContain(second.spentBy);
    expect(aMonitor.isFullyResolved()).toBe(true);
    // A restarted monitor agrees.
    const again = ChannelMonitor.read(aMonitor.serialize(), { keys: pair.a.keys });
    expect(again.getClaims()).toEqual(aMonitor.getClaims());
    expect(again.isFullyResolved()).toBe(true);
    expect(a.errors).toEqual([]);
  });

  it.each([false, true])(
    "of the peer's commitment are swept by preimage at once and by timeout after expiry (anchors=%s)",
    (anchors) => {
      const { pair, a, b } = openWatched(anchors);
      const { chain } = pair;
      const expiry = chain.height + 15;
      const ours = preimageAndHash(4);
      const theirs = preimageAndHash(5);
      pair.addHtlc(pair.a, 8_000_000n, ours.hash, expiry);
      const theirId = pair.addHtlc(pair.b, 6_000_000n, theirs.hash, chain.height + 100);
      // a learns the preimage of the HTLC b offered, but the removal is never committed.
      pair.deliver(pair.a, pair.a.channel.claimHtlc(theirId, theirs.preimage));

      pair.deliver(pair.b, pair.b.channel.forceClose('test'));
      chain.mineBlocks(1);
      const aMonitor = monitorOf(a);
      expect(aMonitor.getFundingSpend()).toMatchObject({
        kind: FundingSpendKind.CounterpartyCommitment,
      });
      const claims = aMonitor.getClaims();
      expect(claims.map((c) => c.kind).sort()).toEqual([
        'CounterpartyHtlcPreimage',
        'CounterpartyHtlcTimeout',
        'CounterpartyToRemote',
      ]);
      const timeout = claims.find((c) => c.kind === 'CounterpartyHtlcTimeout')!;
      expect(timeout.spendableHeight).toBe(expiry + 1);
      // to_remote and the preimage claim go out at once.
      expect(accepted(a)).toHaveLength(2);
      const preimageClaim = accepted(a)
        .map((t) => parseTransaction(chain.getTx(t)!))
        .find((t) => t.inputs[0]!.witness.length === 3 && t.inputs[0]!.witness[1]!.length === 32);
      expect(preimageClaim!.inputs[0]!.witness[1]).toEqual(theirs.preimage);
      while (chain.height < expiry) {
        expect(accepted(a)).toHaveLength(2);
        chain.mineBlocks(1);
      }
      expect(accepted(a)).toHaveLength(3);
      mine(pair, 1 + TO_SELF_DELAY + 6);
      for (const c of aMonitor.getClaims()) {
        expect(c.spentBy).toBeDefined();
        expect(accepted(a)).toContain(c.spentBy);
      }
      expect(aMonitor.isFullyResolved()).toBe(true);
      // b's monitor saw its HTLC outputs taken by a, and swept its own to_local.
      expect(monitorOf(b).isFullyResolved()).toBe(true);
      expect([...a.errors, ...b.errors]).toEqual([]);
    },
  );
});
