// Every commitment and HTLC transaction a Channel would broadcast on a force close, fully signed
// (our signature plus the peer's from commitment_signed), passes the script interpreter
// (test/support/script-interpreter.ts, Bitcoin Core's standard flags) against the funding
// output, at every step of a commitment dance, for both channel types (BOLT 3, BOLT 5).
import { describe, expect, it } from 'vitest';
import { HtlcTxKind } from '../../src/tx/htlc-tx.js';
import { parseTransaction } from '../../src/tx/transaction.js';
import { ChannelPair, FUNDING_HEIGHT, type TestNode } from '../support/channel-pair.js';
import { verifyTransaction, type Prevout } from '../support/script-interpreter.js';

/** The commitment confirms here; HTLC transactions spend it some blocks later. */
const COMMITMENT_HEIGHT = 900;
const SPEND_HEIGHT = 1000;
const MEDIAN_TIME_PAST = 1_700_000_000;

interface Tally {
  commitments: number;
  htlcTimeouts: number;
  htlcSuccesses: number;
}

function checkBroadcast(pair: ChannelPair, node: TestNode, tally: Tally): void {
  if (node.channel.state.holderCommitment === undefined) return;
  const funding = parseTransaction(pair.fundingTx!);
  const index = node.channel.state.funding!.outputIndex;
  const fundingPrevout: Prevout = {
    scriptPubKey: funding.outputs[index]!.scriptPubkey,
    valueSat: funding.outputs[index]!.valueSat,
  };
  const broadcast = node.channel.signHolderCommitmentTransactions();
  const commitment = verifyTransaction(broadcast.commitmentTx, [fundingPrevout], {
    spendHeight: COMMITMENT_HEIGHT,
    spendMedianTimePast: MEDIAN_TIME_PAST,
    prevoutHeights: [FUNDING_HEIGHT],
  });
  expect(commitment, `${node.name} commitment ${broadcast.commitmentNumber}`).toEqual({ ok: true });
  tally.commitments++;
  const commitmentTx = parseTransaction(broadcast.commitmentTx);
  for (const h of broadcast.htlcTxs) {
    const out = commitmentTx.outputs[h.commitmentOutputIndex]!;
    const result = verifyTransaction(
      h.tx,
      [{ scriptPubKey: out.scriptPubkey, valueSat: out.valueSat }],
      {
        spendHeight: SPEND_HEIGHT,
        spendMedianTimePast: MEDIAN_TIME_PAST,
        prevoutHeights: [COMMITMENT_HEIGHT],
      },
    );
    expect(result, `${node.name} ${h.kind} of HTLC ${h.htlcId}`).toEqual({ ok: true });
    if (h.kind === HtlcTxKind.Timeout) tally.htlcTimeouts++;
    else tally.htlcSuccesses++;
  }
}

/** Delivers everything one message at a time, checking both sides after each. */
function deliverChecking(pair: ChannelPair, tally: Tally): void {
  for (let guard = 0; guard < 100; guard++) {
    const from = pair.a.outbox.length > 0 ? pair.a : pair.b.outbox.length > 0 ? pair.b : undefined;
    if (from === undefined) return;
    pair.deliver(from);
    checkBroadcast(pair, pair.a, tally);
    checkBroadcast(pair, pair.b, tally);
  }
}

describe('holder commitment and HTLC transactions pass script validation', () => {
  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`at every step of HTLC dances on a ${channelType} channel`, () => {
      const tally: Tally = { commitments: 0, htlcTimeouts: 0, htlcSuccesses: 0 };
      const pair = ChannelPair.ready({ channelType });
      checkBroadcast(pair, pair.a, tally);
      checkBroadcast(pair, pair.b, tally);
      // Give b a balance, then HTLCs both ways: untrimmed and trimmed.
      const first = pair.addHtlc(pair.a, 100_000_000n, 1);
      pair.a.absorb(pair.a.channel.sendCommitment());
      deliverChecking(pair, tally);
      pair.b.absorb(pair.b.channel.claimHtlc(first.htlcId, first.preimage));
      pair.b.absorb(pair.b.channel.sendCommitment());
      deliverChecking(pair, tally);
      const ab = pair.addHtlc(pair.a, 20_000_000n, 2, 650);
      pair.addHtlc(pair.a, 300_000n, 3);
      const ba = pair.addHtlc(pair.b, 15_000_000n, 4, 700);
      pair.a.absorb(pair.a.channel.sendCommitment());
      deliverChecking(pair, tally);
      // Claims not yet committed: each holder commitment can use its HTLC-success.
      pair.b.absorb(pair.b.channel.claimHtlc(ab.htlcId, ab.preimage));
      pair.a.absorb(pair.a.channel.claimHtlc(ba.htlcId, ba.preimage));
      checkBroadcast(pair, pair.a, tally);
      checkBroadcast(pair, pair.b, tally);
      pair.a.absorb(pair.a.channel.sendCommitment());
      deliverChecking(pair, tally);
      expect(tally.commitments).toBeGreaterThan(20);
      expect(tally.htlcTimeouts).toBeGreaterThan(10);
      expect(tally.htlcSuccesses).toBeGreaterThan(3);
    });
  }
});
