// ChannelMonitor driven by the monitor updates of two real Channels: update ordering, whole-update
// atomicity, serialization round trips after every update, and the holder commitment it signs
// (checked by the script interpreter and accepted by the test chain's mempool), refused once the
// peer proved our state stale (BOLT 2 option_data_loss_protect, BOLT 5).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ChannelMonitor,
  ChannelMonitorRefusedError,
  MonitorRefusal,
} from '../../../src/chain/channel-monitor.js';
import {
  decodeMonitorUpdate,
  encodeMonitorUpdate,
  type ChannelMonitorUpdateStep,
} from '../../../src/chain/channel-monitor-update-steps.js';
import { computeTxid } from '../../../src/chain/txid.js';
import type { ChannelMonitorUpdate } from '../../../src/chain/watch.js';
import { KeysManager } from '../../../src/keys/keys-manager.js';
import { txidToHex } from '../../../src/tx/transaction.js';
import { ErrorCode } from '../../../src/util/errors.js';
import { verifyTransaction } from '../../support/script-interpreter.js';
import { ChannelPair, type Side, type StepUpdate } from './channel-pair.js';
import { preimageAndHash, replayMonitor } from './helpers.js';

const code = (c: string): unknown => expect.objectContaining({ code: c });

function next(monitor: ChannelMonitor, steps: readonly ChannelMonitorUpdateStep[]): StepUpdate {
  return { updateId: monitor.getLatestUpdateId() + 1n, channelId: monitor.channelId, steps };
}

describe('ChannelMonitor on a real channel', () => {
  let pair: ChannelPair;

  beforeAll(() => {
    pair = ChannelPair.open();
    const { a, b } = pair;
    const h1 = preimageAndHash(1);
    const h2 = preimageAndHash(2);
    const expiry = pair.chain.height + 200;
    const id1 = pair.addHtlc(a, 7_000_000n, h1.hash, expiry);
    pair.addHtlc(b, 3_000_000n, h2.hash, expiry);
    pair.fulfillHtlc(b, id1, h1.preimage);
  });

  it('records the update kinds the channel produces', () => {
    for (const side of [pair.a, pair.b]) {
      const kinds = new Set(side.updates.flatMap((u) => u.steps.map((s) => s.type)));
      expect([...kinds].sort()).toEqual(
        expect.arrayContaining([
          'ChannelSetup',
          'CommitmentSecret',
          'LatestCounterpartyCommitment',
          'LatestHolderCommitment',
        ]),
      );
      side.updates.forEach((u, i) => expect(u.updateId).toBe(BigInt(i)));
    }
    expect(pair.b.updates.some((u) => u.steps.some((s) => s.type === 'PaymentPreimage'))).toBe(
      true,
    );
  });

  it.each(['a', 'b'] as const)(
    'side %s: applies every update in order and round-trips after each one',
    (name) => {
      const side = pair[name];
      const monitor = ChannelMonitor.fromInitialUpdate(side.updates[0]!, { keys: side.keys });
      const check = (): void => {
        const bytes = monitor.serialize();
        const again = ChannelMonitor.read(bytes, { keys: side.keys });
        expect(again.serialize()).toEqual(bytes);
        expect(again.getLatestUpdateId()).toBe(monitor.getLatestUpdateId());
        expect(again.channelId).toBe(monitor.channelId);
      };
      check();
      for (const u of side.updates.slice(1)) {
        monitor.update(u);
        expect(monitor.getLatestUpdateId()).toBe(u.updateId);
        check();
      }
      expect(monitor.channelId).toBe(side.channel.channelId);
      expect(monitor.getLatestHolderCommitmentNumber()).toBe(
        side.channel.state.holderCommitment!.commitmentNumber,
      );
      const funding = side.channel.state.funding!;
      expect(monitor.getFundingTxo()).toEqual({
        txid: txidToHex(funding.txid),
        index: funding.outputIndex,
      });
    },
  );

  it('updates survive the step byte codec on the way in', () => {
    const side = pair.b;
    const decoded = side.updates.map((u) => decodeMonitorUpdate(encodeMonitorUpdate(u)));
    const monitor = ChannelMonitor.fromInitialUpdate(decoded[0]!, { keys: side.keys });
    for (const u of decoded.slice(1)) monitor.update(u);
    expect(monitor.serialize()).toEqual(replayMonitor(side).serialize());
  });

  it.each(['a', 'b'] as const)(
    'side %s: the latest holder commitment is fully signed and passes the interpreter',
    (name) => {
      const side: Side = pair[name];
      const tx = replayMonitor(side).getLatestHolderCommitmentTxn();
      expect(computeTxid(tx)).toBe(txidToHex(side.channel.state.holderCommitment!.txid));
      const funding = side.channel.state.funding!;
      const fundingOut = pair.chain.getUtxo({
        txid: txidToHex(funding.txid),
        index: funding.outputIndex,
      })!;
      expect(verifyTransaction(tx, [fundingOut])).toEqual({ ok: true });
    },
  );

  it('the test chain mempool accepts the broadcast commitment', () => {
    const broadcaster = pair.chain.createBroadcaster();
    replayMonitor(pair.a).broadcastLatestHolderCommitmentTxn(broadcaster);
    expect(broadcaster.results).toEqual([{ accepted: true, txid: expect.any(String) }]);
    expect(
      pair.chain.inMempool(broadcaster.results[0]!.accepted ? broadcaster.results[0]!.txid : ''),
    ).toBe(true);
  });

  it('broadcastLatestHolderCommitmentTxn raises HolderForceClosed', () => {
    const monitor = replayMonitor(pair.b);
    const sent: Uint8Array[] = [];
    monitor.broadcastLatestHolderCommitmentTxn({
      broadcastTransactions: (txs) => sent.push(...txs),
    });
    expect(sent).toHaveLength(1);
    expect(monitor.isForceClosed()).toBe(true);
    expect(monitor.getAndClearPendingMonitorEvents()).toEqual([
      {
        type: 'HolderForceClosed',
        fundingOutpoint: monitor.getFundingTxo(),
        channelId: monitor.channelId,
      },
    ]);
  });

  it('rejects an update whose id is not the next one, leaving the state as it was', () => {
    const side = pair.a;
    const monitor = replayMonitor(side);
    const before = monitor.serialize();
    const last = side.updates[side.updates.length - 1]!;
    const preimage: ChannelMonitorUpdateStep = {
      type: 'PaymentPreimage',
      paymentPreimage: new Uint8Array(32).fill(9),
    };
    for (const updateId of [last.updateId, last.updateId - 1n, 0n, last.updateId + 2n, -1n]) {
      expect(() =>
        monitor.update({ updateId, channelId: monitor.channelId, steps: [preimage] }),
      ).toThrow(code(ErrorCode.APIMisuse));
    }
    expect(monitor.serialize()).toEqual(before);
    // The same update replayed is refused too: ids never repeat.
    expect(() => monitor.update(last)).toThrow(code(ErrorCode.APIMisuse));
  });

  it('applies an update wholly or not at all', () => {
    const side = pair.a;
    const monitor = replayMonitor(side);
    const before = monitor.serialize();
    const stale = side.updates[0]!.steps.find((s) => s.type === 'LatestHolderCommitment')!;
    const bad = next(monitor, [
      { type: 'PaymentPreimage', paymentPreimage: new Uint8Array(32).fill(9) },
      stale,
    ]);
    expect(() => monitor.update(bad)).toThrow(code(ErrorCode.APIMisuse));
    expect(monitor.serialize()).toEqual(before);
    expect(monitor.getLatestUpdateId()).toBe(side.updates[side.updates.length - 1]!.updateId);
  });

  it('rejects steps that contradict the channel', () => {
    const side = pair.a;
    const monitor = replayMonitor(side);
    const setup = side.updates[0]!.steps[0]!;
    const holder = side.updates[0]!.steps[1]!;
    const cases: ChannelMonitorUpdateStep[][] = [
      [setup],
      [{ ...holder, commitmentNumber: 999 } as ChannelMonitorUpdateStep],
      [
        {
          ...(holder as Extract<ChannelMonitorUpdateStep, { type: 'LatestHolderCommitment' }>),
          commitmentNumber: 999,
          counterpartySignature: new Uint8Array(64).fill(1),
        },
      ],
      [{ type: 'CommitmentSecret', commitmentNumber: 0, secret: new Uint8Array(32).fill(3) }],
      [{ type: 'ShutdownScript', scriptPubkey: new Uint8Array(0) }],
      [
        {
          type: 'AwaitingUnilateralClose',
          counterpartyCurrentPerCommitmentPoint: new Uint8Array(33),
        },
      ],
    ];
    for (const steps of cases) {
      expect(() => monitor.update(next(monitor, steps))).toThrow(
        expect.objectContaining({ code: expect.stringMatching(/APIMisuse|CryptoError/) }),
      );
    }
    const unknown = [{ type: 'NoSuchStep' }] as unknown as ChannelMonitorUpdateStep[];
    expect(() => monitor.update(next(monitor, unknown))).toThrow(code(ErrorCode.DecodeError));
    expect(() => monitor.update({ ...next(monitor, []), channelId: '00'.repeat(32) })).toThrow(
      code(ErrorCode.APIMisuse),
    );
    expect(() => monitor.update(null as unknown as ChannelMonitorUpdate)).toThrow(
      code(ErrorCode.APIMisuse),
    );
  });

  it('ChannelForceClosed asking to broadcast queues the latest commitment', () => {
    const monitor = replayMonitor(pair.b);
    monitor.update(next(monitor, [{ type: 'ChannelForceClosed', shouldBroadcast: true }]));
    expect(monitor.takeTransactionsToBroadcast()).toEqual([monitor.getLatestHolderCommitmentTxn()]);
    expect(monitor.isForceClosed()).toBe(true);
    const quiet = replayMonitor(pair.b);
    quiet.update(next(quiet, [{ type: 'ChannelForceClosed', shouldBroadcast: false }]));
    expect(quiet.takeTransactionsToBroadcast()).toEqual([]);
  });

  it('refuses to produce our commitment once AwaitingUnilateralClose, also after a restart', () => {
    const side = pair.a;
    const monitor = replayMonitor(side);
    const point = pair.b.channel.signer.getPerCommitmentPoint(7);
    monitor.update(
      next(monitor, [
        { type: 'AwaitingUnilateralClose', counterpartyCurrentPerCommitmentPoint: point },
      ]),
    );
    const refused = expect.objectContaining({
      code: ErrorCode.ChannelUnavailable,
      reason: MonitorRefusal.AwaitingUnilateralClose,
      channelId: monitor.channelId,
    });
    expect(() => monitor.getLatestHolderCommitmentTxn()).toThrow(refused);
    expect(() => monitor.getLatestHolderCommitmentTxn()).toThrow(ChannelMonitorRefusedError);
    const sent: Uint8Array[] = [];
    expect(() =>
      monitor.broadcastLatestHolderCommitmentTxn({ broadcastTransactions: (t) => sent.push(...t) }),
    ).toThrow(refused);
    monitor.update(next(monitor, [{ type: 'ChannelForceClosed', shouldBroadcast: true }]));
    expect(monitor.takeTransactionsToBroadcast()).toEqual([]);
    expect(sent).toEqual([]);
    const reread = ChannelMonitor.read(monitor.serialize(), { keys: side.keys });
    expect(reread.isAwaitingUnilateralClose()).toBe(true);
    expect(() => reread.getLatestHolderCommitmentTxn()).toThrow(refused);
  });

  it('refuses keys that do not derive the channel signer', () => {
    const other = new KeysManager(new Uint8Array(32).fill(0x33), 1, 1, { getRandomValues: null });
    expect(() => ChannelMonitor.fromInitialUpdate(pair.a.updates[0]!, { keys: other })).toThrow(
      code(ErrorCode.APIMisuse),
    );
    const bytes = replayMonitor(pair.a).serialize();
    expect(() => ChannelMonitor.read(bytes, { keys: other })).toThrow(code(ErrorCode.APIMisuse));
  });

  it('needs update 0 to carry the setup and both first commitments for the right channel', () => {
    const u0 = pair.a.updates[0]!;
    const keys = pair.a.keys;
    const without = (type: string): ChannelMonitorUpdate => ({
      ...u0,
      steps: u0.steps.filter((s) => s.type !== type),
    });
    for (const update of [
      without('ChannelSetup'),
      without('LatestHolderCommitment'),
      without('LatestCounterpartyCommitment'),
      { ...u0, channelId: 'ff'.repeat(32) },
    ]) {
      expect(() => ChannelMonitor.fromInitialUpdate(update, { keys })).toThrow(
        code(ErrorCode.APIMisuse),
      );
    }
  });

  it('reads only well-formed bytes, with DecodeError otherwise', () => {
    const keys = pair.a.keys;
    const bytes = replayMonitor(pair.a).serialize();
    const bad = [
      new Uint8Array(0),
      bytes.slice(0, bytes.length - 1),
      Uint8Array.of(2, ...bytes.slice(1)),
      Uint8Array.of(...bytes, 0xfe),
      Uint8Array.of(...bytes, 0x40, 0x00),
    ];
    for (const b of bad)
      expect(() => ChannelMonitor.read(b, { keys })).toThrow(code(ErrorCode.DecodeError));
    // An unknown odd record is skipped (forward compatibility).
    const withOdd = Uint8Array.of(...bytes, 0x41, 0x01, 0x00);
    expect(ChannelMonitor.read(withOdd, { keys }).serialize()).toEqual(bytes);
  });
});
