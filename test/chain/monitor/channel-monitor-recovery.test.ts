// Monitors after trouble: a node that lost state (AwaitingUnilateralClose) never broadcasts its
// stale commitment yet sweeps its to_remote from the peer's newer commitment (BOLT 2
// option_data_loss_protect, BOLT 5); a monitor restarted from its bytes at any block of a
// force close carries on (same bytes, same claim rebroadcast); and damaged bytes are refused
// with typed errors, never a crash.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelMonitor } from '../../../src/chain/channel-monitor.js';
import { FundingSpendKind } from '../../../src/chain/watch.js';
import { BoltkitError } from '../../../src/util/errors.js';
import { ChannelPair, type StepUpdate } from './channel-pair.js';
import { preimageAndHash, replayMonitor } from './helpers.js';

function payRoundTrip(pair: ChannelPair, seed: number): void {
  const { preimage, hash } = preimageAndHash(seed);
  const id = pair.addHtlc(pair.a, 15_000_000n, hash, pair.chain.height + 100);
  pair.fulfillHtlc(pair.b, id, preimage);
}

describe('a monitor whose state is stale', () => {
  it("refuses to broadcast, then sweeps to_remote from the peer's unknown commitment", () => {
    const pair = ChannelPair.open({ toSelfDelay: 20 });
    const { chain } = pair;
    payRoundTrip(pair, 1);
    // a's monitor as a stale backup: only the updates so far.
    const known = pair.a.updates.length;
    payRoundTrip(pair, 2);
    payRoundTrip(pair, 3);
    const stale = ChannelMonitor.fromInitialUpdate(pair.a.updates[0]!, { keys: pair.a.keys });
    for (const u of pair.a.updates.slice(1, known)) stale.update(u);
    const awaiting: StepUpdate = {
      updateId: stale.getLatestUpdateId() + 1n,
      channelId: stale.channelId,
      steps: [
        {
          type: 'AwaitingUnilateralClose',
          counterpartyCurrentPerCommitmentPoint: pair.b.channel.signer.getPerCommitmentPoint(
            pair.b.channel.state.holderCommitment!.commitmentNumber,
          ),
        },
      ],
    };
    stale.update(awaiting);
    expect(() => stale.getLatestHolderCommitmentTxn()).toThrow(
      expect.objectContaining({ code: 'ChannelUnavailable' }),
    );

    // The peer broadcasts its latest commitment, newer than anything the stale monitor knows.
    const theirs = replayMonitor(pair.b).getLatestHolderCommitmentTxn();
    chain.broadcast(theirs);
    chain.mineBlocks(1);
    stale.blockConnected(chain.getBlock(chain.height)!, chain.height);
    expect(stale.getFundingSpend()).toMatchObject({
      kind: FundingSpendKind.UnknownCounterpartyCommitment,
      commitmentNumber: pair.b.channel.state.holderCommitment!.commitmentNumber,
    });
    const sweeps = stale.takeTransactionsToBroadcast();
    expect(sweeps).toHaveLength(1);
    expect(chain.submit(sweeps[0]!)).toMatchObject({ accepted: true });
    expect(stale.getClaims()).toMatchObject([{ kind: 'CounterpartyToRemote' }]);
  });
});

describe('a monitor restarted from its bytes', () => {
  it('is the same monitor at every block of a force close, and rebroadcasts its claim', () => {
    const pair = ChannelPair.open({ toSelfDelay: 6 });
    const { chain } = pair;
    payRoundTrip(pair, 4);
    let monitor = replayMonitor(pair.a);
    chain.broadcast(monitor.getLatestHolderCommitmentTxn());
    const sweeps: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      chain.mineBlocks(1);
      monitor.blockConnected(chain.getBlock(chain.height)!, chain.height);
      for (const tx of monitor.takeTransactionsToBroadcast()) {
        sweeps.push(tx);
        // The first broadcast is lost on the way; the restarted monitor sends it again.
        if (sweeps.length > 1) chain.submit(tx);
      }
      monitor.getAndClearPendingMonitorEvents();
      const bytes = monitor.serialize();
      const again = ChannelMonitor.read(bytes, { keys: pair.a.keys });
      expect(again.serialize()).toEqual(bytes);
      expect(again.getClaims()).toEqual(monitor.getClaims());
      expect(again.getFundingSpend()).toEqual(monitor.getFundingSpend());
      monitor = again;
    }
    // The to_local sweep was built by one instance and rebuilt identically by the next ones.
    expect(sweeps.length).toBeGreaterThan(1);
    for (const tx of sweeps) expect(tx).toEqual(sweeps[0]);
    expect(monitor.getClaims()[0]!.spentBy).toBeDefined();
  });
});

describe('damaged monitor bytes', () => {
  it('are refused with a typed error, never a crash', () => {
    const pair = ChannelPair.open();
    const keys = pair.a.keys;
    const bytes = replayMonitor(pair.a).serialize();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, xor) => {
          const damaged = bytes.slice();
          damaged[at]! ^= xor;
          try {
            ChannelMonitor.read(damaged, { keys });
          } catch (e) {
            expect(e).toBeInstanceOf(BoltkitError);
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length - 1 }), (cut) => {
        expect(() => ChannelMonitor.read(bytes.slice(0, cut), { keys })).toThrow(BoltkitError);
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
