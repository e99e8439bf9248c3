import { describe, expect, it } from 'vitest';
import { ChannelPair } from '../support/channel-pair.js';
import {
  deserializeChannel,
  serializeChannel,
} from '../../src/channel-manager/channel/serialize.js';

describe('smoke', () => {
  it('opens and pays', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.commit(pair.a);
    const bytes = serializeChannel(pair.b.channel);
    const restored = deserializeChannel(bytes, pair.b.options);
    expect(serializeChannel(restored)).toEqual(bytes);
    pair.b.channel = restored;
    const ev = pair.b.takeEvents();
    expect(ev.map((e) => e.type)).toEqual(['HtlcReceived']);
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.commit(pair.b);
    expect(pair.a.takeEvents().map((e) => e.type)).toEqual(['HtlcFulfilled']);
  });
});
