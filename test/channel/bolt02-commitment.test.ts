// BOLT 2 "Committing Updates So Far: commitment_signed" and "Completing the Transition to the
// Updated State: revoke_and_ack": signature checks, the no-changes rule, revocation secrets
// (wrong and inconsistent), monitor update ids and the holding of messages while an update is
// being persisted.
import { describe, expect, it } from 'vitest';
import { ChannelCheck, ChannelErrorAction } from '../../src/channel-manager/channel/errors.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type {
  CommitmentSignedMessage,
  RevokeAndAckMessage,
} from '../../src/wire/messages/commitment.js';
import { ChannelPair } from '../support/channel-pair.js';
import { expectChannelError } from './helpers.js';

const X = ChannelErrorAction;

/** a adds an HTLC and signs; returns b's view before it sees the commitment_signed. */
function signedAdd(pair: ChannelPair, amountMsat = 20_000_000n): CommitmentSignedMessage {
  pair.addHtlc(pair.a, amountMsat, 1);
  pair.a.absorb(pair.a.channel.sendCommitment());
  pair.expectDeliver(pair.a, 'update_add_htlc');
  const cs = pair.a.outbox.shift();
  if (cs?.type !== 'commitment_signed') throw new Error('expected commitment_signed');
  return cs;
}

describe('BOLT 2 commitment_signed receiver', () => {
  it('fails the channel on a commitment_signed without updates', () => {
    const pair = ChannelPair.ready();
    const cs: CommitmentSignedMessage = {
      type: 'commitment_signed',
      channelId: pair.b.channel.state.channelId,
      signature: new Uint8Array(64),
      htlcSignatures: [],
    };
    expectChannelError(
      () => pair.b.channel.handleMessage(cs),
      X.Close,
      ChannelCheck.CommitmentWithoutChanges,
    );
  });

  it('fails the channel on a bad commitment signature', () => {
    const pair = ChannelPair.ready();
    const cs = signedAdd(pair);
    const signature = cs.signature.slice();
    signature[5]! ^= 0x40;
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...cs, signature }),
      X.Close,
      ChannelCheck.BadCommitmentSignature,
    );
    // Nothing changed: the genuine message is still accepted.
    pair.b.absorb(pair.b.channel.handleMessage(cs));
    expect(pair.b.channel.state.holderCommitment!.commitmentNumber).toBe(1);
  });

  it('fails the channel on a high-S signature (BOLT 2 LOW-S rule)', () => {
    const pair = ChannelPair.ready();
    const cs = signedAdd(pair);
    // s' = n - s verifies mathematically but is not low-S.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    let s = 0n;
    for (const b of cs.signature.subarray(32)) s = (s << 8n) | BigInt(b);
    let hi = n - s;
    const sig = cs.signature.slice();
    for (let i = 63; i >= 32; i--) {
      sig[i] = Number(hi & 0xffn);
      hi >>= 8n;
    }
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...cs, signature: sig }),
      X.Close,
      ChannelCheck.BadCommitmentSignature,
    );
  });

  it('fails the channel on a wrong number of HTLC signatures or a bad one', () => {
    const pair = ChannelPair.ready();
    const cs = signedAdd(pair);
    expect(cs.htlcSignatures).toHaveLength(1);
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...cs, htlcSignatures: [] }),
      X.Close,
      ChannelCheck.HtlcSignatureCountMismatch,
    );
    const bad = cs.htlcSignatures[0]!.slice();
    bad[1]! ^= 1;
    expectChannelError(
      () => pair.b.channel.handleMessage({ ...cs, htlcSignatures: [bad] }),
      X.Close,
      ChannelCheck.BadHtlcSignature,
    );
  });

  it('fails the channel on commitment_signed before channel_ready', () => {
    const pair = new ChannelPair();
    pair.fund();
    expectChannelError(
      () =>
        pair.b.channel.handleMessage({
          type: 'commitment_signed',
          channelId: pair.b.channel.state.channelId,
          signature: new Uint8Array(64),
          htlcSignatures: [],
        }),
      X.Close,
      ChannelCheck.UnexpectedMessage,
    );
  });

  it('signs nothing when there is nothing to sign, and one commitment at a time', () => {
    const pair = ChannelPair.ready();
    expect(pair.a.channel.sendCommitment().messages).toEqual([]);
    pair.addHtlc(pair.a, 1_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.addHtlc(pair.a, 1_000_000n, 2);
    // Awaiting revoke_and_ack: the second add waits for the next commitment_signed.
    expect(pair.a.channel.sendCommitment().messages).toEqual([]);
    pair.deliverAll();
    // The revoke_and_ack freed a to sign the second add on its own.
    expect(pair.b.channel.state.holderCommitment!.spec.htlcs).toHaveLength(2);
    expect(pair.a.channel.state.counterpartyCommitment!.spec.htlcs).toHaveLength(2);
  });
});

describe('BOLT 2 revoke_and_ack receiver', () => {
  function raaFromB(pair: ChannelPair): RevokeAndAckMessage {
    const cs = signedAdd(pair);
    pair.b.absorb(pair.b.channel.handleMessage(cs));
    const raa = pair.b.outbox.shift();
    if (raa?.type !== 'revoke_and_ack') throw new Error('expected revoke_and_ack');
    return raa;
  }

  it('fails the channel on an unexpected revoke_and_ack', () => {
    const pair = ChannelPair.ready();
    const raa = raaFromB(pair);
    pair.a.absorb(pair.a.channel.handleMessage(raa));
    expectChannelError(
      () => pair.a.channel.handleMessage(raa),
      X.Close,
      ChannelCheck.UnexpectedRevokeAndAck,
    );
  });

  it('fails the channel on a secret that does not match the revoked point', () => {
    const pair = ChannelPair.ready();
    const raa = raaFromB(pair);
    const wrong = nobleBackend.sha256(raa.perCommitmentSecret);
    expectChannelError(
      () => pair.a.channel.handleMessage({ ...raa, perCommitmentSecret: wrong }),
      X.Close,
      ChannelCheck.BadRevocationSecret,
    );
    expectChannelError(
      () => pair.a.channel.handleMessage({ ...raa, perCommitmentSecret: new Uint8Array(32) }),
      X.Close,
      ChannelCheck.BadRevocationSecret,
    );
    pair.a.absorb(pair.a.channel.handleMessage(raa));
    expect(pair.a.channel.state.counterpartyCommitment!.commitmentNumber).toBe(1);
  });

  it('fails the channel on a secret inconsistent with the earlier ones (BOLT 3 storage)', () => {
    // A peer whose per-commitment point 1 comes from a secret outside its BOLT 3 chain: the
    // secret matches the point, but does not derive secret 0.
    const pair = new ChannelPair();
    pair.fund();
    pair.confirm();
    const rogueSecret = nobleBackend.sha256(Uint8Array.of(1, 2, 3));
    const roguePoint = nobleBackend.getPublicKey(rogueSecret);
    // a took b's second_per_commitment_point from channel_ready; replace it before any signing.
    (
      pair.a.channel.state as { counterpartyNextPerCommitmentPoint: Uint8Array }
    ).counterpartyNextPerCommitmentPoint = roguePoint;
    pair.addHtlc(pair.a, 1_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    const channelId = pair.a.channel.state.channelId;
    const nextPoint = nobleBackend.getPublicKey(nobleBackend.sha256(Uint8Array.of(4)));
    // b's genuine secret 0 revokes commitment 0.
    pair.a.absorb(
      pair.a.channel.handleMessage({
        type: 'revoke_and_ack',
        channelId,
        perCommitmentSecret: pair.b.channel.signer.releaseCommitmentSecret(0),
        nextPerCommitmentPoint: nextPoint,
      }),
    );
    pair.addHtlc(pair.a, 1_000_000n, 2);
    pair.a.absorb(pair.a.channel.sendCommitment());
    expectChannelError(
      () =>
        pair.a.channel.handleMessage({
          type: 'revoke_and_ack',
          channelId,
          perCommitmentSecret: rogueSecret,
          nextPerCommitmentPoint: nextPoint,
        }),
      X.Close,
      ChannelCheck.InconsistentRevocationSecret,
    );
  });

  it('fails the channel on an invalid next_per_commitment_point', () => {
    const pair = ChannelPair.ready();
    const raa = raaFromB(pair);
    const bad = Uint8Array.from([0x03, ...new Array<number>(32).fill(0xff)]);
    expectChannelError(
      () => pair.a.channel.handleMessage({ ...raa, nextPerCommitmentPoint: bad }),
      X.Close,
      ChannelCheck.InvalidPoint,
    );
  });
});

describe('monitor updates and held messages', () => {
  it('numbers monitor updates 0, 1, 2… and records each fund-affecting change', () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 30_000_000n, 1);
    pair.commit(pair.a);
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.commit(pair.b);
    for (const node of [pair.a, pair.b]) {
      const ids = node.monitorUpdates.map((u) => u.updateId);
      expect(ids).toEqual(ids.map((_, i) => BigInt(i)));
      expect(node.channel.state.nextMonitorUpdateId).toBe(BigInt(ids.length));
      expect(node.channel.state.monitorUpdateInProgress).toBe(false);
    }
    expect(pair.a.monitorUpdates.map((u) => u.steps.map((s) => s.type).join('+'))).toEqual([
      'ChannelSetup+LatestHolderCommitment+LatestCounterpartyCommitment',
      'LatestCounterpartyCommitment', // a signs b's commitment 1 (the add)
      'CommitmentSecret', // b revokes its commitment 0
      'LatestHolderCommitment', // b signs a's commitment 1
      'LatestHolderCommitment', // b's fulfil: b signs a's commitment 2
      'LatestCounterpartyCommitment', // a signs b's commitment 2 (the fulfil)
      'CommitmentSecret', // b revokes its commitment 1
    ]);
  });

  it('holds revoke_and_ack and commitment_signed until the monitor stored both updates', () => {
    const pair = ChannelPair.ready();
    pair.b.autoPersist = false;
    pair.addHtlc(pair.a, 20_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliver(pair.a);
    pair.deliver(pair.a);
    // b accepted a's commitment (update n) and signed a's next one (update n+1): nothing leaves.
    expect(pair.b.pending()).toEqual([]);
    const [first, second] = pair.b.monitorUpdates.slice(-2);
    expect(first!.steps.map((s) => s.type)).toEqual(['LatestHolderCommitment']);
    expect(second!.steps.map((s) => s.type)).toEqual(['LatestCounterpartyCommitment']);
    expect(second!.updateId).toBe(first!.updateId + 1n);
    expect(pair.b.channel.state.monitorUpdateInProgress).toBe(true);
    // Completing an older update releases nothing; the latest releases both, in order.
    expect(pair.b.channel.monitorUpdatingCompleted(first!.updateId).messages).toEqual([]);
    const released = pair.b.absorb(pair.b.channel.monitorUpdatingCompleted(second!.updateId));
    expect(released.messages.map((m) => m.type)).toEqual(['revoke_and_ack', 'commitment_signed']);
    // Messages produced after release are no longer held.
    pair.deliverAll();
    expect(pair.b.takeEvents().map((e) => e.type)).toEqual([]);
    pair.b.persistAll();
    expect(pair.b.takeEvents().map((e) => e.type)).toEqual(['HtlcReceived']);
    expect(pair.b.channel.phase).toBe(ChannelPhase.ChannelReady);
  });

  it('refuses to complete an update id never handed out', () => {
    const pair = ChannelPair.ready();
    expect(() => pair.a.channel.monitorUpdatingCompleted(99n)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }) as Error,
    );
  });
});
