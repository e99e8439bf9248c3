// BOLT 2 "The channel_ready Message": the depth of the funding transaction counts in the best
// chain. A funding transaction reorganized out before channel_ready is forgotten by
// `fundingUnconfirmed` (confirmation height and short channel id), and the depth counts again
// from its next confirmation; after channel_ready the call is refused (the manager fails the
// channel instead).
import { describe, expect, it } from 'vitest';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { ErrorCode } from '../../src/util/errors.js';
import { ChannelPair, FUNDING_HEIGHT } from '../support/channel-pair.js';
import { thrownBy } from './helpers.js';

describe('BOLT 2 funding reorganized out before channel_ready', () => {
  it('forgets the confirmation and counts minimum_depth again from the next one', () => {
    const pair = new ChannelPair({ roundTrip: true });
    pair.fund();
    for (const node of [pair.a, pair.b]) {
      node.absorb(
        node.channel.fundingConfirmed({
          height: FUNDING_HEIGHT,
          txIndex: 1,
          fundingTx: pair.fundingTx!,
        }),
      );
      node.absorb(node.channel.bestBlockUpdated(FUNDING_HEIGHT + 3));
      expect(node.channel.state.shortChannelId).toBeDefined();
      // Four confirmations of six: nothing sent yet.
      expect(node.pending()).toEqual([]);
      node.absorb(node.channel.fundingUnconfirmed());
      const { state } = node.channel;
      expect(state.funding!.confirmationHeight).toBeUndefined();
      expect(state.shortChannelId).toBeUndefined();
      expect(state.phase).toBe(ChannelPhase.AwaitingChannelReady);
      // The chain moves on without it: no depth to count.
      node.absorb(node.channel.bestBlockUpdated(FUNDING_HEIGHT + 10));
      expect(node.pending()).toEqual([]);
      expect(thrownBy(() => node.channel.fundingUnconfirmed())).toMatchObject({
        code: ErrorCode.APIMisuse,
      });
    }
    // Confirmed again later: six blocks from there, with the new position in the scid.
    const again = FUNDING_HEIGHT + 8;
    for (const node of [pair.a, pair.b]) {
      node.absorb(
        node.channel.fundingConfirmed({ height: again, txIndex: 3, fundingTx: pair.fundingTx! }),
      );
      node.absorb(node.channel.bestBlockUpdated(again + 4));
      expect(node.pending()).toEqual([]);
      node.absorb(node.channel.bestBlockUpdated(again + 5));
      expect(node.pending()).toEqual(['channel_ready']);
    }
    pair.deliverAll();
    for (const node of [pair.a, pair.b]) {
      expect(node.channel.phase).toBe(ChannelPhase.ChannelReady);
      expect(Number(node.channel.state.shortChannelId! >> 40n)).toBe(again);
      expect(Number((node.channel.state.shortChannelId! >> 16n) & 0xffffffn)).toBe(3);
      // channel_ready went out: undoing the confirmation is refused.
      expect(thrownBy(() => node.channel.fundingUnconfirmed())).toMatchObject({
        code: ErrorCode.APIMisuse,
      });
      expect(node.channel.state.funding!.confirmationHeight).toBe(again);
    }
    expect(pair.a.roundTrips + pair.b.roundTrips).toBeGreaterThan(10);
  });
});
