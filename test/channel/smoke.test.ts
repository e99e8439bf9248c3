import { describe, expect, it } from 'vitest';
import { ChannelPair } from '../support/channel-pair.js';

describe('smoke', () => {
  it('opens and pays', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.commit(pair.a);
    const ev = pair.b.takeEvents();
    expect(ev.map((e) => e.type)).toEqual(['HtlcReceived']);
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.commit(pair.b);
    expect(pair.a.takeEvents().map((e) => e.type)).toEqual(['HtlcFulfilled']);
    expect(pair.a.channel.state.holderCommitment!.spec.toCounterpartyMsat).toBe(10_000_000n);
    expect(pair.b.channel.state.holderCommitment!.spec.toHolderMsat).toBe(10_000_000n);
  });
});
