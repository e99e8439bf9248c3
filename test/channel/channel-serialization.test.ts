// The whole ChannelState round-trips to bytes (serialize.ts) after every call of a channel's
// life, and the scenario goes on with the restored channels: opening, payments both ways,
// batched updates, fee update, failures, held output while monitor updates are in progress, a
// disconnection mid-dance, and the mutual close. Every monitor update round-trips too.
import { describe, expect, it } from 'vitest';
import {
  decodeMonitorUpdate,
  encodeMonitorUpdate,
  type ChannelMonitorUpdateStep,
} from '../../src/chain/channel-monitor-update-steps.js';
import {
  deserializeChannel,
  deserializeChannelState,
  serializeChannel,
} from '../../src/channel-manager/channel/serialize.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { ErrorCode } from '../../src/util/errors.js';
import { ChannelPair, dummyOnion } from '../support/channel-pair.js';
import { thrownBy } from './helpers.js';

describe('channel state serialization', () => {
  it('round-trips at every step of a channel lifetime', () => {
    const pair = new ChannelPair({ roundTrip: true });
    pair.fund();
    pair.confirm();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ChannelReady);
    // a pays b; b holds its output while its monitor updates are in progress.
    pair.b.autoPersist = false;
    const h1 = pair.addHtlc(pair.a, 60_000_000n, 1);
    pair.commit(pair.a);
    pair.b.persistAll();
    pair.deliverAll();
    pair.b.autoPersist = true;
    pair.b.takeEvents();
    pair.b.absorb(pair.b.channel.claimHtlc(h1.htlcId, h1.preimage));
    pair.a.absorb(pair.a.channel.proposeFeeUpdate(1500));
    pair.commit(pair.b);
    pair.commit(pair.a);
    // Batched updates both ways, interrupted by a disconnection.
    const h2 = pair.addHtlc(pair.a, 5_000_000n, 2);
    const h3 = pair.addHtlc(pair.b, 4_000_000n, 3);
    const h4 = pair.addHtlc(pair.a, 3_000_000n, 4);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliver(pair.a);
    pair.deliver(pair.b);
    pair.reconnect();
    pair.deliverAll();
    pair.commit(pair.b);
    pair.commit(pair.a);
    pair.a.takeEvents();
    pair.b.takeEvents();
    pair.b.absorb(pair.b.channel.failHtlc(h2.htlcId, Uint8Array.of(9)));
    pair.b.absorb(
      pair.b.channel.failMalformedHtlc(h4.htlcId, nobleBackend.sha256(dummyOnion(4)), 0x8000 | 6),
    );
    pair.a.absorb(pair.a.channel.claimHtlc(h3.htlcId, h3.preimage));
    pair.commit(pair.b);
    pair.commit(pair.a);
    // Close.
    pair.a.absorb(pair.a.channel.initiateShutdown());
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe(ChannelPhase.Closed);
    expect(pair.b.channel.phase).toBe(ChannelPhase.Closed);
    expect(pair.a.roundTrips + pair.b.roundTrips).toBeGreaterThan(60);
    // Every monitor update of both sides round-trips.
    for (const node of [pair.a, pair.b]) {
      for (const update of node.monitorUpdates) {
        const steps = update.steps as readonly ChannelMonitorUpdateStep[];
        const bytes = encodeMonitorUpdate({ ...update, steps });
        expect(decodeMonitorUpdate(bytes)).toEqual({ ...update, steps });
      }
    }
  });

  it('rejects malformed bytes and a keys interface that derives other keys', () => {
    const pair = ChannelPair.ready();
    const bytes = serializeChannel(pair.a.channel);
    for (const bad of [
      bytes.subarray(0, bytes.length - 3),
      Uint8Array.of(2, ...bytes.subarray(1)),
      Uint8Array.of(...bytes, 0x5c, 0x00), // an unknown even record (type 92)
    ]) {
      expect(thrownBy(() => deserializeChannelState(bad))).toMatchObject({
        code: ErrorCode.DecodeError,
      });
    }
    // An unknown odd record is skipped.
    expect(
      deserializeChannelState(Uint8Array.of(...bytes, 0xfd, 0x01, 0x01, 0x00)).state.phase,
    ).toBe(ChannelPhase.ChannelReady);
    const otherKeys = new KeysManager(new Uint8Array(32).fill(7), 1, 0, { getRandomValues: null });
    expect(
      thrownBy(() => deserializeChannel(bytes, { ...pair.a.options, keys: otherKeys })),
    ).toMatchObject({ code: ErrorCode.DecodeError });
  });
});
