/**
 * boltkit's ChannelManager against LDK 0.1 (WASM) over real TCP on 127.0.0.1, both following one
 * test chain whose mempool runs the script interpreter on every broadcast: channels opened from
 * either side with either channel type (static_remotekey and anchors, BOLT 2 `channel_type`)
 * become usable on both sides after the funding confirms, with the same channel id, funding
 * outpoint and capacity; they survive a reconnection (`channel_reestablish`); a cooperative close
 * from either side confirms; a force close from either side puts a valid commitment on chain and
 * both sides report the channel closed.
 * https://github.com/lightning/bolts/blob/master/02-peer-protocol.md
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatOutPoint } from '../../src/chain/outpoint.js';
import { BoltkitNode } from './boltkit/boltkit-node.js';
import { LdkChain } from './ldk/ldk-chain.js';
import { LdkNode } from './ldk/ldk-node.js';
import { waitFor } from './ldk/wait-for.js';

const WAIT_MS = 15_000;
/** Both sides ask for 6 confirmations by default. */
const MIN_DEPTH = 6;
const VALUE_SAT = 200_000n;
const PUSH_MSAT = 20_000_000n;

let chain: LdkChain;
let ldk: LdkNode;
let bk: BoltkitNode;
let ldkPort: number;

beforeEach(async (ctx) => {
  chain = new LdkChain();
  ldk = await LdkNode.start({ seed: 21, name: 'ldk', chain, anchors: true });
  // One test feeds boltkit through `Confirm` (an Electrum-style source) instead of `Listen`.
  const feedStyle = ctx.task.name.includes('Confirm') ? 'confirm' : 'listen';
  bk = new BoltkitNode({
    seed: 22,
    name: 'boltkit',
    chain: chain.testChain,
    broadcaster: chain.broadcasterFor('boltkit'),
    feedStyle,
    verbose: true,
  });
  ldkPort = await ldk.listenTcp();
  await connect();
  ctx.onTestFailed(() => {
    console.error(`${ldk.formatLog(300)}\n${bk.formatLog(300)}`);
    console.error(chain.broadcasts.map((b) => `${b.node} ${b.txid} ${JSON.stringify(b.result)}`));
  });
});

afterEach(async () => {
  await Promise.all([bk.stop(), ldk.stop()]);
});

async function connect(): Promise<void> {
  await bk.connectTcp(ldkPort, ldk.nodeIdHex);
  await waitFor(
    () => ldk.peer(bk.nodeId) !== undefined && bk.isConnectedTo(ldk.nodeIdHex),
    WAIT_MS,
    'boltkit and LDK to connect',
  );
}

type Opener = 'boltkit' | 'ldk';

/** Opens, funds, confirms, and resolves to the channel id once both sides call it usable. */
async function openChannel(opener: Opener, anchors: boolean): Promise<string> {
  let channelId: string | undefined;
  if (opener === 'boltkit') {
    const temporaryId = bk.channelManager.createChannel(ldk.nodeIdHex, VALUE_SAT, PUSH_MSAT, 7n, {
      negotiateAnchorsZeroFeeHtlcTx: anchors,
    });
    await waitFor(
      () => {
        const pending = bk
          .eventsOf('ChannelPending')
          .find((e) => e.formerTemporaryChannelId === temporaryId);
        if (pending === undefined) return false;
        channelId = pending.channelId;
        return chain.confirmations(pending.fundingTxo.txid) === 0;
      },
      WAIT_MS,
      'the funding transaction from boltkit in the mempool',
    );
  } else {
    const temporaryId = ldk.createChannel(bk.nodeId, VALUE_SAT, PUSH_MSAT, { anchors });
    await waitFor(
      () => {
        const pending = ldk.channelEvents.find(
          (e) => e.type === 'ChannelPending' && e.formerTemporaryChannelIdHex === temporaryId,
        );
        if (pending?.type !== 'ChannelPending') return false;
        channelId = pending.channelIdHex;
        return chain.confirmations(pending.fundingTxo.txid) === 0;
      },
      WAIT_MS,
      'the funding transaction from LDK in the mempool',
    );
  }
  const id = channelId!;
  chain.connectBlocks(MIN_DEPTH);
  await waitFor(
    () => ldk.channel(id)?.isUsable === true && bk.channel(id)?.isUsable === true,
    WAIT_MS,
    'the channel usable on both sides',
  );
  return id;
}

function expectAgreement(id: string, opener: Opener, anchors: boolean): void {
  const ours = bk.channel(id)!;
  const theirs = ldk.channel(id)!;
  expect(ours.channelValueSat).toBe(VALUE_SAT);
  expect(theirs.capacitySat).toBe(VALUE_SAT);
  expect(ours.fundingTxo).toBeDefined();
  expect(theirs.fundingTxo).toBeDefined();
  expect(formatOutPoint(ours.fundingTxo!)).toBe(
    `${theirs.fundingTxo!.txid}:${theirs.fundingTxo!.index}`,
  );
  expect(ours.isOutbound).toBe(opener === 'boltkit');
  expect(theirs.isOutbound).toBe(opener === 'ldk');
  expect(theirs.anchors).toBe(anchors);
  expect(ours.channelType.includes('anchors')).toBe(anchors);
  expect(ours.shortChannelId).toBe(theirs.shortChannelId);
  // The acceptor holds exactly the push, the opener the rest (the commitment fee is paid from
  // it on chain, as LDK's balance leaves it in too).
  expect(ours.balanceMsat).toBe(opener === 'ldk' ? PUSH_MSAT : VALUE_SAT * 1000n - PUSH_MSAT);
  // What each can send is what the other can receive, up to the reserves both hold back.
  expect(ours.inboundCapacityMsat).toBeGreaterThan(0n);
  expect(theirs.inboundCapacityMsat).toBeGreaterThan(0n);
}

/**
 * Waits until both sides report the channel closed and a transaction spending the funding output
 * is in the mempool, then mines it and checks it confirmed and that no broadcast was refused.
 */
async function closeAndConfirm(id: string, how: string): Promise<string> {
  const txo = bk.channel(id)!.fundingTxo!;
  let spend: string | undefined;
  await waitFor(
    () =>
      bk.eventsOf('ChannelClosed').some((e) => e.channelId === id) &&
      ldk.channelEvents.some((e) => e.type === 'ChannelClosed' && e.channelIdHex === id) &&
      (spend = chain.testChain.getSpendingTxid(txo)) !== undefined,
    WAIT_MS,
    `ChannelClosed on both sides and a ${how} transaction in the mempool`,
  );
  chain.connectBlocks(1);
  expect(chain.confirmations(spend!)).toBe(1);
  expect(chain.rejectedBroadcasts()).toEqual([]);
  // Neither side lists the channel any more.
  expect(bk.channel(id)).toBeUndefined();
  expect(ldk.channel(id)).toBeUndefined();
  return spend!;
}

function ldkClosedReason(id: string): string | undefined {
  const e = ldk.channelEvents.find((x) => x.type === 'ChannelClosed' && x.channelIdHex === id);
  return e?.type === 'ChannelClosed' ? e.reason : undefined;
}

describe('BOLT 2 channels between boltkit and LDK 0.1 over TCP', () => {
  for (const opener of ['boltkit', 'ldk'] as const) {
    for (const anchors of [false, true]) {
      const kind = anchors ? 'anchors' : 'static_remotekey';
      it(`${opener} opens a channel of type ${kind}; both sides agree and call it usable`, async () => {
        const id = await openChannel(opener, anchors);
        expectAgreement(id, opener, anchors);
        await waitFor(
          () => bk.eventsOf('ChannelReady').some((e) => e.channelId === id),
          WAIT_MS,
          'ChannelReady at boltkit',
        );
        expect(bk.loopErrors).toEqual([]);
        expect(chain.rejectedBroadcasts()).toEqual([]);
      });
    }
  }

  it('boltkit fed through Confirm follows an open and a cooperative close', async () => {
    const id = await openChannel('ldk', true);
    expectAgreement(id, 'ldk', true);
    bk.channelManager.closeChannel(id, ldk.nodeIdHex);
    await closeAndConfirm(id, 'closing');
  });

  it('a channel stays usable after a disconnection and channel_reestablish', async () => {
    const id = await openChannel('boltkit', true);
    bk.peerManager.disconnectByNodeId(ldk.nodeIdHex);
    await waitFor(
      () => ldk.peer(bk.nodeId) === undefined && !bk.isConnectedTo(ldk.nodeIdHex),
      WAIT_MS,
      'both sides to see the disconnection',
    );
    expect(bk.channel(id)?.isUsable).toBe(false);
    await connect();
    await waitFor(
      () => ldk.channel(id)?.isUsable === true && bk.channel(id)?.isUsable === true,
      WAIT_MS,
      'the channel usable again on both sides',
    );
  });

  for (const closer of ['boltkit', 'ldk'] as const) {
    it(`${closer} closes cooperatively; the closing transaction confirms`, async () => {
      const id = await openChannel(closer === 'boltkit' ? 'ldk' : 'boltkit', false);
      if (closer === 'boltkit') bk.channelManager.closeChannel(id, ldk.nodeIdHex);
      else ldk.closeChannel(id, bk.nodeId);
      await closeAndConfirm(id, 'closing');
      const ours = bk.eventsOf('ChannelClosed').find((e) => e.channelId === id)!;
      expect(ours.reason.type).toBe('CooperativeClosure');
      // Locally initiated on boltkit's side exactly when boltkit called closeChannel.
      expect(ours.reason).toMatchObject({ locallyInitiated: closer === 'boltkit' });
      expect(ldkClosedReason(id)).toMatch(
        closer === 'boltkit' ? /CounterpartyInitiatedCooperativeClosure/ : /LocallyInitiated/,
      );
    });

    it(`${closer} force-closes; the other side sees the commitment and closes too`, async () => {
      const id = await openChannel('boltkit', true);
      if (closer === 'boltkit')
        bk.channelManager.forceCloseBroadcastingLatestTxn(id, ldk.nodeIdHex);
      else ldk.forceCloseBroadcastingLatestTxn(id, bk.nodeId);
      await closeAndConfirm(id, 'commitment');
      const ours = bk.eventsOf('ChannelClosed').find((e) => e.channelId === id)!;
      expect(ours.reason.type).toBe(
        closer === 'boltkit' ? 'HolderForceClosed' : 'CounterpartyForceClosed',
      );
      expect(ldkClosedReason(id)).toBe(
        closer === 'boltkit' ? 'CounterpartyForceClosed' : 'HolderForceClosed',
      );
    });
  }
});
