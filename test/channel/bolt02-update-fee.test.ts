// BOLT 2 "Updating Fees: update_fee": the funder updates the feerate; the non-funder may not;
// the receiver checks the feerate bounds and that the funder can pay it above its reserve.
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import type { UpdateFeeMessage } from '../../src/wire/messages/commitment.js';
import { ChannelPair, type TestNode } from '../support/channel-pair.js';
import { expectChannelError } from './helpers.js';

const X = ChannelErrorAction;

function updateFee(to: TestNode, feerateSatPerKw: number): UpdateFeeMessage {
  return { type: 'update_fee', channelId: to.channel.state.channelId, feerateSatPerKw };
}

describe('BOLT 2 update_fee', () => {
  for (const channelType of ['anchors', 'static_remotekey'] as const) {
    it(`the funder moves a ${channelType} channel to a new feerate`, () => {
      const pair = ChannelPair.ready({ channelType });
      pair.addHtlc(pair.a, 10_000_000n, 1);
      pair.a.absorb(pair.a.channel.proposeFeeUpdate(3000));
      pair.commit(pair.a);
      for (const node of [pair.a, pair.b]) {
        const s = node.channel.state;
        expect(s.holderCommitment!.spec.feerateSatPerKw).toBe(3000);
        expect(s.counterpartyCommitment!.spec.feerateSatPerKw).toBe(3000);
        expect(s.holderCommitment!.spec.htlcs).toHaveLength(1);
      }
    });
  }

  it('a commitment_signed that only changes the fee is allowed', () => {
    const pair = ChannelPair.ready();
    pair.a.absorb(pair.a.channel.proposeFeeUpdate(2000));
    pair.commit(pair.a);
    expect(pair.b.channel.state.holderCommitment!.spec.feerateSatPerKw).toBe(2000);
    expect(pair.b.channel.state.holderCommitment!.commitmentNumber).toBe(1);
  });

  it('the non-funder may not propose, and the funder fails the channel when it receives one', () => {
    const pair = ChannelPair.ready();
    expectChannelError(
      () => pair.b.channel.proposeFeeUpdate(2000),
      X.Ignore,
      ChannelCheck.NotFunder,
    );
    expectChannelError(
      () => pair.a.channel.handleMessage(updateFee(pair.a, 2000)),
      X.Close,
      ChannelCheck.UpdateFeeFromNonFunder,
    );
  });

  it('fails the channel on a feerate too low or unreasonably large', () => {
    const pair = ChannelPair.ready();
    expectChannelError(
      () => pair.b.channel.handleMessage(updateFee(pair.b, 252)),
      X.Close,
      ChannelCheck.FeerateTooLow,
    );
    expectChannelError(
      () => pair.b.channel.handleMessage(updateFee(pair.b, 50_001)),
      X.Close,
      ChannelCheck.FeerateTooHigh,
    );
  });

  it('fails the channel when the funder cannot pay the new fee above its reserve', () => {
    // a keeps 20_000 sat, 10_000 of them its reserve; 45_000 sat/kW costs ~51_000 sat.
    const pair = ChannelPair.ready({ pushMsat: 980_000_000n });
    expectChannelError(
      () => pair.b.channel.handleMessage(updateFee(pair.b, 45_000)),
      X.Close,
      ChannelCheck.FunderCannotAffordFee,
    );
    expectChannelError(
      () => pair.a.channel.proposeFeeUpdate(45_000),
      X.Ignore,
      ChannelCheck.FunderCannotAffordFee,
    );
    pair.a.absorb(pair.a.channel.proposeFeeUpdate(4000));
    expect(pair.a.pending()).toEqual(['update_fee']);
  });

  it('suggests a feerate to the timer when the estimate moved enough', () => {
    const pair = ChannelPair.ready();
    expect(pair.a.channel.feerateToPropose()).toBeUndefined();
    pair.a.feeEstimator.feerates.AnchorChannelFee = 1100;
    expect(pair.a.channel.feerateToPropose()).toBeUndefined();
    pair.a.feeEstimator.feerates.AnchorChannelFee = 1300;
    expect(pair.a.channel.feerateToPropose()).toBe(1300);
    pair.a.feeEstimator.feerates.AnchorChannelFee = 400;
    expect(pair.a.channel.feerateToPropose()).toBe(400);
    expect(pair.b.channel.feerateToPropose()).toBeUndefined();
  });
});
