// BOLT 2 "Message Retransmission": a disconnection at every step of commitment dances, each
// followed by channel_reestablish, retransmission of exactly what the peer missed (in the order
// first sent) and a channel that settles consistently; option_data_loss_protect both ways.
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import { AWAITING_UNILATERAL_CLOSE_ERROR } from '../../src/channel-manager/channel/reestablish.js';
import {
  deserializeChannel,
  serializeChannel,
} from '../../src/channel-manager/channel/serialize.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { toHex } from '../../src/util/bytes.js';
import { ChannelPair, preimageOf, type TestNode } from '../support/channel-pair.js';
import { expectChannelError } from './helpers.js';

const X = ChannelErrorAction;

/** Claims every HTLC the node has been told about (preimages come from `preimageOf`). */
function claimReceived(node: TestNode, preimages: Map<string, Uint8Array>): void {
  for (const e of node.takeEvents()) {
    if (e.type !== 'HtlcReceived') continue;
    node.absorb(node.channel.claimHtlc(e.htlcId, preimages.get(toHex(e.paymentHash))!));
  }
}

/** Signs, delivers and claims until no HTLC and no update is left. */
function settle(pair: ChannelPair, preimages: Map<string, Uint8Array>): void {
  for (let round = 0; round < 12; round++) {
    claimReceived(pair.a, preimages);
    claimReceived(pair.b, preimages);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.b.absorb(pair.b.channel.sendCommitment());
    pair.deliverAll();
    const s = pair.b.channel.state;
    if (
      s.holderCommitment!.spec.htlcs.length === 0 &&
      s.counterpartyCommitment!.spec.htlcs.length === 0
    ) {
      const quiet = [pair.a, pair.b].every(
        (n) =>
          n.channel.state.pendingRevocation === undefined &&
          Object.values(n.channel.state.updates).every((l) => (l as unknown[]).length === 0),
      );
      if (quiet) return;
    }
  }
  throw new Error('the channel did not settle');
}

/** Both sides agree on both commitments. */
function expectConsistent(pair: ChannelPair): void {
  const a = pair.a.channel.state;
  const b = pair.b.channel.state;
  expect(a.holderCommitment!.commitmentNumber).toBe(b.counterpartyCommitment!.commitmentNumber);
  expect(b.holderCommitment!.commitmentNumber).toBe(a.counterpartyCommitment!.commitmentNumber);
  expect(a.holderCommitment!.txid).toEqual(b.counterpartyCommitment!.txid);
  expect(b.holderCommitment!.txid).toEqual(a.counterpartyCommitment!.txid);
  expect(a.holderCommitment!.spec.toHolderMsat).toBe(b.holderCommitment!.spec.toCounterpartyMsat);
}

type Step = (pair: ChannelPair, preimages: Map<string, Uint8Array>) => void;

const add =
  (from: 'a' | 'b', amountMsat: bigint, n: number): Step =>
  (pair, preimages) => {
    const h = pair.addHtlc(pair[from], amountMsat, n);
    preimages.set(toHex(h.paymentHash), h.preimage);
  };
const sign =
  (from: 'a' | 'b'): Step =>
  (pair) => {
    pair[from].absorb(pair[from].channel.sendCommitment());
  };
const deliver =
  (from: 'a' | 'b'): Step =>
  (pair) => {
    if (pair[from].outbox.length > 0) pair.deliver(pair[from]);
  };
const claim =
  (by: 'a' | 'b'): Step =>
  (pair, preimages) => {
    claimReceived(pair[by], preimages);
  };

/**
 * a pays b, then both offer HTLCs concurrently while b's fulfil crosses a's next commitment:
 * every kind of message, and both orders of revoke_and_ack and commitment_signed.
 */
const scenario: readonly Step[] = [
  add('a', 60_000_000n, 1),
  sign('a'),
  deliver('a'), // update_add_htlc
  deliver('a'), // commitment_signed
  deliver('b'), // revoke_and_ack
  deliver('b'), // commitment_signed
  deliver('a'), // revoke_and_ack: b may claim
  claim('b'),
  sign('b'),
  add('a', 30_000_000n, 2),
  sign('a'), // crosses b's commitment_signed
  add('b', 10_000_000n, 3),
  deliver('b'), // update_fulfill_htlc
  deliver('b'), // commitment_signed
  deliver('a'), // update_add_htlc
  deliver('a'), // commitment_signed
  deliver('a'), // revoke_and_ack
  deliver('b'), // revoke_and_ack or update_add_htlc
  deliver('b'),
  deliver('a'),
  deliver('b'),
  deliver('a'),
  deliver('b'),
];

describe('BOLT 2 channel_reestablish after a disconnection at every step', () => {
  for (let cut = 0; cut <= scenario.length; cut++) {
    it(`disconnects after step ${cut} of ${scenario.length} and settles consistently`, () => {
      const pair = ChannelPair.ready();
      const preimages = new Map<string, Uint8Array>();
      for (const step of scenario.slice(0, cut)) step(pair, preimages);
      pair.reconnect();
      pair.deliverAll();
      settle(pair, preimages);
      expectConsistent(pair);
      // Every HTLC offered before or after the cut ended fulfilled.
      const offeredByA = [...preimages.keys()].length;
      expect(offeredByA).toBeGreaterThanOrEqual(cut === 0 ? 0 : 1);
      const bBalance = pair.b.channel.state.holderCommitment!.spec.toHolderMsat;
      const paid =
        (cut >= 1 ? 60_000_000n : 0n) +
        (cut >= 10 ? 30_000_000n : 0n) -
        (cut >= 12 ? 10_000_000n : 0n);
      expect(bBalance).toBe(paid);
    });
  }
});

describe('BOLT 2 retransmission order', () => {
  it('resends revoke_and_ack then commitment_signed when they went out in that order', () => {
    const pair = ChannelPair.ready();
    pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliver(pair.a);
    pair.deliver(pair.a);
    expect(pair.b.pending()).toEqual(['revoke_and_ack', 'commitment_signed']);
    pair.reconnect();
    expect(pair.b.pending()).toEqual(['revoke_and_ack', 'commitment_signed']);
    expect(pair.a.pending()).toEqual([]);
  });

  it('resends updates and commitment_signed before revoke_and_ack when they went out first', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.commit(pair.a);
    pair.b.takeEvents();
    // b fulfils and signs; a adds and signs at the same time; b answers a's commitment.
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.b.absorb(pair.b.channel.sendCommitment());
    pair.addHtlc(pair.a, 5_000_000n, 2);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliver(pair.a);
    pair.deliver(pair.a);
    expect(pair.b.pending()).toEqual([
      'update_fulfill_htlc',
      'commitment_signed',
      'revoke_and_ack',
    ]);
    pair.reconnect();
    // a answers b's reestablish: nothing missed on its side except its own updates.
    expect(pair.b.pending()).toEqual([
      'update_fulfill_htlc',
      'commitment_signed',
      'revoke_and_ack',
    ]);
    pair.deliverAll();
    const preimages = new Map([[toHex(preimageOf(2).paymentHash), preimageOf(2).preimage]]);
    settle(pair, preimages);
    expectConsistent(pair);
  });

  it('resends channel_ready when no commitment was exchanged yet', () => {
    const pair = new ChannelPair();
    pair.fund();
    pair.confirm();
    pair.reconnect();
    expect(pair.a.pending()).toEqual(['channel_ready']);
    expect(pair.b.pending()).toEqual(['channel_ready']);
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ChannelReady);
  });

  it('fails the channel on other messages before channel_reestablish', () => {
    const pair = ChannelPair.ready();
    pair.b.absorb(pair.b.channel.peerDisconnected());
    pair.addHtlc(pair.a, 1_000_000n, 1);
    expectChannelError(() => pair.deliver(pair.a), X.Close, ChannelCheck.UnexpectedMessage);
  });
});

describe('BOLT 2 option_data_loss_protect', () => {
  function pairWithOldCopy(): { pair: ChannelPair; old: Uint8Array } {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.commit(pair.a);
    const old = serializeChannel(pair.a.channel);
    pair.b.takeEvents();
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.commit(pair.b);
    return { pair, old };
  }

  it('a node restored from an old copy, given proof, awaits the unilateral close', () => {
    const { pair, old } = pairWithOldCopy();
    pair.a.channel = deserializeChannel(old, pair.a.options);
    pair.a.outbox.length = 0;
    pair.b.outbox.length = 0;
    pair.b.absorb(pair.b.channel.peerDisconnected());
    pair.b.absorb(pair.b.channel.peerConnected());
    pair.a.absorb(pair.a.channel.peerConnected());
    const aReestablish = pair.a.outbox.shift()!;
    // b sees a is behind: a revocation it already holds is asked again by an old state.
    expectChannelError(
      () => pair.b.channel.handleMessage(aReestablish),
      X.Close,
      ChannelCheck.ReestablishMismatch,
    );
    const updatesBefore = pair.a.monitorUpdates.length;
    pair.deliver(pair.b);
    expect(pair.a.channel.phase).toBe(ChannelPhase.AwaitingUnilateralClose);
    const step = pair.a.monitorUpdates[updatesBefore]!.steps[0]!;
    expect(step.type).toBe('AwaitingUnilateralClose');
    expect(pair.a.outbox[0]).toMatchObject({ type: 'error' });
    expect(new TextDecoder().decode((pair.a.outbox[0] as { data: Uint8Array }).data)).toBe(
      AWAITING_UNILATERAL_CLOSE_ERROR,
    );
    expect(pair.a.takeEvents().at(-1)).toMatchObject({
      type: 'ChannelClosed',
      kind: 'DataLossProven',
    });
    // Everything afterwards is answered with the same error; a force close never broadcasts.
    const answer = pair.a.channel.handleMessage({
      type: 'update_fee',
      channelId: pair.a.channel.state.channelId,
      feerateSatPerKw: 1000,
    });
    expect(answer.messages.map((m) => m.type)).toEqual(['error']);
    const closed = pair.a.channel.forceClose('host request');
    expect(closed.monitorUpdates).toEqual([]);
    expect(pair.a.channel.phase).toBe(ChannelPhase.Closed);
  });

  it('fails the channel on a wrong your_last_per_commitment_secret', () => {
    const { pair } = pairWithOldCopy();
    for (const node of [pair.a, pair.b]) {
      node.outbox.length = 0;
      node.absorb(node.channel.peerDisconnected());
      node.absorb(node.channel.peerConnected());
    }
    const m = pair.a.outbox.shift()!;
    if (m.type !== 'channel_reestablish') throw new Error('expected channel_reestablish');
    const wrong = m.yourLastPerCommitmentSecret.slice();
    wrong[0]! ^= 1;
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...m, yourLastPerCommitmentSecret: wrong }),
      X.Close,
      ChannelCheck.BadLastPerCommitmentSecret,
    );
    expectChannelError(
      () =>
        pair.b.channel.handleMessage({ ...m, nextRevocationNumber: m.nextRevocationNumber + 5n }),
      X.Close,
      ChannelCheck.ReestablishMismatch,
    );
    pair.b.absorb(pair.b.channel.handleMessage(m));
  });
});
