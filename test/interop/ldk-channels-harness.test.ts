/**
 * Proves the LDK channel glue on its own, LDK <-> LDK over real TCP on one shared test chain:
 * channels of both types (static_remotekey and anchors) are opened, funded from the chain
 * wallet, confirmed, used across a reconnection (BOLT 2 `channel_reestablish`), closed
 * cooperatively, and force-closed, with every transaction either node broadcast (funding,
 * closing, commitment, anchor child, sweeps) accepted by the chain's script interpreter.
 * https://github.com/lightning/bolts/blob/master/02-peer-protocol.md
 */
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { hashToDisplayHex } from '../../src/chain/txid.js';
import { LdkChain } from './ldk/ldk-chain.js';
import type {
  InboundChannelDecision,
  LdkChannelEvent,
  LdkChannelInfo,
} from './ldk/ldk-channels.js';
import { LdkNode } from './ldk/ldk-node.js';
import { waitFor } from './ldk/wait-for.js';

const WAIT_MS = 15_000;
/** LDK's default `minimum_depth` for a channel it accepts. */
const MIN_DEPTH = 6;
/** LDK's default `to_self_delay` asked of the counterparty (BOLT 2 `open_channel`). */
const TO_SELF_DELAY = 144;
/** BOLT 9 channel type bits. */
const STATIC_REMOTEKEY_BIT = 12;
const ANCHORS_BIT = 22;

let chain: LdkChain;
let alice: LdkNode;
let bob: LdkNode;
/** Started late, fed through `Confirm` instead of `Listen`. */
let carolNode: LdkNode | undefined;
let port: number;
/** How Bob answers the next `open_channel`. */
let bobDecision: InboundChannelDecision = 'accept';

beforeAll(async () => {
  chain = new LdkChain();
  // Both nodes offer anchors, so each channel's type is the opener's choice.
  alice = await LdkNode.start({ seed: 11, name: 'alice', chain, anchors: true });
  bob = await LdkNode.start({
    seed: 12,
    name: 'bob',
    chain,
    anchors: true,
    inboundChannels: () => bobDecision,
  });
  port = await bob.listenTcp();
  await connect();
});

afterAll(async () => {
  await Promise.all([alice.stop(), bob.stop(), carolNode?.stop()]);
});

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    console.error(
      `${alice.formatLog(300)}\n${bob.formatLog(300)}\n${carolNode?.formatLog(300) ?? ''}`,
    );
    console.error(chain.broadcasts.map((b) => `${b.node} ${b.txid} ${JSON.stringify(b.result)}`));
  });
});

async function connect(): Promise<void> {
  await alice.connectTcp('127.0.0.1', port, bob.nodeIdHex);
  await waitFor(
    () => alice.peer(bob.nodeIdHex) !== undefined && bob.peer(alice.nodeIdHex) !== undefined,
    WAIT_MS,
    'alice and bob to connect',
  );
}

function events<T extends LdkChannelEvent['type']>(
  node: LdkNode,
  type: T,
): Extract<LdkChannelEvent, { type: T }>[] {
  return node.channelEvents.filter(
    (e): e is Extract<LdkChannelEvent, { type: T }> => e.type === type,
  );
}

function both(channelIdHex: string): [LdkChannelInfo | undefined, LdkChannelInfo | undefined] {
  return [alice.channel(channelIdHex), bob.channel(channelIdHex)];
}

/** Mempool or chain transactions spending an output of `txid`. */
function spendersOf(txid: string): string[] {
  const out: string[] = [];
  for (const candidate of chain.testChain.mempoolTxids()) {
    const tx = Transaction.fromBuffer(chain.testChain.getTx(candidate)!);
    if (tx.ins.some((i) => hashToDisplayHex(i.hash) === txid)) out.push(candidate);
  }
  return out;
}

function closedOnBoth(channelIdHex: string): boolean {
  return [alice, bob].every((n) =>
    events(n, 'ChannelClosed').some((e) => e.channelIdHex === channelIdHex),
  );
}

function usableOnBoth(channelIdHex: string): boolean {
  return both(channelIdHex).every((c) => c?.isUsable === true);
}

/**
 * Alice opens a channel to Bob and drives it to usable: `open_channel` / `accept_channel`,
 * funding from the chain wallet, LDK's broadcast of it, six blocks, `channel_ready` both ways.
 */
async function openChannel(anchors: boolean, valueSat: bigint, pushMsat: bigint): Promise<string> {
  const pendingBefore = events(alice, 'ChannelPending').length;
  const temporaryId = alice.createChannel(bob.nodeIdHex, valueSat, pushMsat, { anchors });
  await waitFor(
    () => events(alice, 'ChannelPending').length > pendingBefore,
    WAIT_MS,
    'ChannelPending at alice',
  );
  const pending = events(alice, 'ChannelPending').at(-1)!;
  expect(pending.formerTemporaryChannelIdHex).toBe(temporaryId);
  const channelIdHex = pending.channelIdHex;
  // LDK broadcast the funding transaction after `funding_signed`; the mempool accepted it.
  await waitFor(
    () => chain.confirmations(pending.fundingTxo.txid) === 0,
    WAIT_MS,
    'the funding transaction in the mempool',
  );
  expect(alice.broadcastTxs.length).toBeGreaterThan(0);
  chain.connectBlocks(MIN_DEPTH);
  await waitFor(() => usableOnBoth(channelIdHex), WAIT_MS, 'the channel usable on both sides');
  return channelIdHex;
}

describe('LDK <-> LDK channels over TCP on a shared test chain', () => {
  let staticChannel = '';
  let anchorChannel = '';
  let zeroConfChannel = '';

  test('a static_remotekey channel opens, confirms and becomes usable on both sides', async () => {
    staticChannel = await openChannel(false, 1_000_000n, 100_000_000n);
    const [a, b] = both(staticChannel);
    expect(a).toMatchObject({
      counterpartyHex: bob.nodeIdHex,
      capacitySat: 1_000_000n,
      isOutbound: true,
      isChannelReady: true,
      anchors: false,
    });
    expect(b).toMatchObject({
      counterpartyHex: alice.nodeIdHex,
      isOutbound: false,
      anchors: false,
    });
    expect(a!.channelTypeBits).toContain(STATIC_REMOTEKEY_BIT);
    expect(a!.channelTypeBits).not.toContain(ANCHORS_BIT);
    expect(a!.shortChannelId).toBeDefined();
    expect(a!.shortChannelId).toBe(b!.shortChannelId);
    expect(a!.confirmations).toBe(MIN_DEPTH);
    expect(a!.fundingTxo).toEqual(b!.fundingTxo);
    expect(chain.confirmations(a!.fundingTxo!.txid)).toBe(MIN_DEPTH);
    // 100,000 sat pushed: Bob can receive it back, Alice can send the rest less reserves.
    expect(b!.outboundCapacityMsat).toBeGreaterThan(0n);
    expect(b!.outboundCapacityMsat).toBeLessThanOrEqual(100_000_000n);
    expect(a!.inboundCapacityMsat).toBe(b!.outboundCapacityMsat);
    const request = events(bob, 'OpenChannelRequest').at(-1)!;
    expect(request).toMatchObject({ decision: 'accept', fundingSat: 1_000_000n, anchors: false });
    expect(request.pushMsat).toBe(100_000_000n);
    expect(events(bob, 'ChannelReady').map((e) => e.channelIdHex)).toContain(staticChannel);
    expect(events(alice, 'ChannelReady').map((e) => e.channelIdHex)).toContain(staticChannel);
  });

  test('an anchors channel opens, confirms and becomes usable on both sides', async () => {
    anchorChannel = await openChannel(true, 500_000n, 0n);
    const [a, b] = both(anchorChannel);
    expect(a).toMatchObject({ anchors: true, capacitySat: 500_000n, isChannelReady: true });
    expect(b).toMatchObject({ anchors: true, isChannelReady: true });
    expect(a!.channelTypeBits).toContain(ANCHORS_BIT);
    expect(a!.channelTypeBits).toContain(STATIC_REMOTEKEY_BIT);
    expect(events(bob, 'OpenChannelRequest').at(-1)).toMatchObject({ anchors: true });
    expect(alice.listChannels()).toHaveLength(2);
  });

  test('after a disconnect and a reconnect both channels are usable again', async () => {
    alice.disconnectPeer(bob.nodeIdHex);
    await waitFor(
      () => !usableOnBoth(staticChannel) && bob.peer(alice.nodeIdHex) === undefined,
      WAIT_MS,
      'both sides to see the disconnect',
    );
    expect(alice.channel(staticChannel)?.isUsable).toBe(false);
    expect(alice.channel(staticChannel)?.isChannelReady).toBe(true);
    await connect();
    await waitFor(
      () => usableOnBoth(staticChannel) && usableOnBoth(anchorChannel),
      WAIT_MS,
      'channel_reestablish to make both channels usable',
    );
    expect(events(alice, 'ChannelClosed')).toEqual([]);
  });

  test('a cooperative close of the static_remotekey channel confirms on chain', async () => {
    const fundingTxo = alice.channel(staticChannel)!.fundingTxo!;
    alice.closeChannel(staticChannel, bob.nodeIdHex);
    await waitFor(
      () =>
        events(alice, 'ChannelClosed').some((e) => e.channelIdHex === staticChannel) &&
        events(bob, 'ChannelClosed').some((e) => e.channelIdHex === staticChannel),
      WAIT_MS,
      'ChannelClosed on both sides',
    );
    expect(events(alice, 'ChannelClosed').at(-1)).toMatchObject({
      reason: 'LocallyInitiatedCooperativeClosure',
      counterpartyHex: bob.nodeIdHex,
      capacitySat: 1_000_000n,
    });
    expect(events(bob, 'ChannelClosed').at(-1)).toMatchObject({
      reason: 'CounterpartyInitiatedCooperativeClosure',
    });
    const closingTxid = chain.testChain.getSpendingTxid(fundingTxo);
    expect(closingTxid).toBeDefined();
    expect(chain.confirmations(closingTxid!)).toBe(0);
    chain.connectBlocks(MIN_DEPTH);
    expect(chain.confirmations(closingTxid!)).toBe(MIN_DEPTH);
    expect(alice.channel(staticChannel)).toBeUndefined();
    expect(bob.channel(staticChannel)).toBeUndefined();
    // The closing outputs pay each side's LDK wallet; LDK hands them out to sweep.
    await waitFor(
      () => alice.onchain.sweeps.length > 0 && bob.onchain.sweeps.length > 0,
      WAIT_MS,
      'both sides to sweep their closing output',
    );
    expect(alice.onchain.sweeps[0]!.kinds).toEqual(['StaticOutput']);
  });

  test('an inbound channel the policy refuses closes at the opener', async () => {
    bobDecision = 'reject';
    const temporaryId = alice.createChannel(bob.nodeIdHex, 200_000n, 0n, { anchors: false });
    await waitFor(
      () => events(alice, 'ChannelClosed').some((e) => e.channelIdHex === temporaryId),
      WAIT_MS,
      'alice to see the refusal',
    );
    bobDecision = 'accept';
    expect(events(bob, 'OpenChannelRequest').at(-1)).toMatchObject({ decision: 'reject' });
    expect(events(alice, 'ChannelClosed').at(-1)).toMatchObject({
      reason: 'CounterpartyForceClosed',
    });
    expect(alice.channel(temporaryId)).toBeUndefined();
    expect(
      events(alice, 'FundingGenerationReady').map((e) => e.temporaryChannelIdHex),
    ).not.toContain(temporaryId);
  });

  test('a zero-conf channel is usable before its funding confirms', async () => {
    bobDecision = 'acceptZeroConf';
    const pendingBefore = events(alice, 'ChannelPending').length;
    alice.createChannel(bob.nodeIdHex, 300_000n, 50_000_000n, { anchors: false });
    await waitFor(
      () => events(alice, 'ChannelPending').length > pendingBefore,
      WAIT_MS,
      'ChannelPending at alice',
    );
    bobDecision = 'accept';
    zeroConfChannel = events(alice, 'ChannelPending').at(-1)!.channelIdHex;
    await waitFor(() => usableOnBoth(zeroConfChannel), WAIT_MS, 'the zero-conf channel usable');
    const [a, b] = both(zeroConfChannel);
    expect(chain.confirmations(a!.fundingTxo!.txid)).toBe(0);
    expect(a!.confirmationsRequired).toBe(0);
    expect(b!.isChannelReady).toBe(true);
    expect(events(bob, 'OpenChannelRequest').at(-1)).toMatchObject({ decision: 'acceptZeroConf' });
    chain.connectBlocks(MIN_DEPTH);
    await waitFor(
      () => alice.channel(zeroConfChannel)?.shortChannelId !== undefined,
      WAIT_MS,
      'a short channel id once confirmed',
    );
  });

  test('a force close of the anchors channel goes out as commitment plus anchor child', async () => {
    const fundingTxo = alice.channel(anchorChannel)!.fundingTxo!;
    // Above the commitment's own rate, so LDK asks for a CPFP through BumpTransaction.
    alice.setFeerate(5000);
    alice.forceCloseBroadcastingLatestTxn(anchorChannel, bob.nodeIdHex);
    await waitFor(() => closedOnBoth(anchorChannel), WAIT_MS, 'ChannelClosed on both sides');
    alice.setFeerate(253);
    expect(events(alice, 'ChannelClosed').at(-1)).toMatchObject({ reason: 'HolderForceClosed' });
    expect(events(bob, 'ChannelClosed').at(-1)).toMatchObject({
      reason: 'CounterpartyForceClosed',
    });
    await waitFor(
      () => chain.testChain.getSpendingTxid(fundingTxo) !== undefined,
      WAIT_MS,
      'the commitment transaction in the mempool',
    );
    expect(alice.onchain.bumps).toContain('ChannelClose');
    const commitmentTxid = chain.testChain.getSpendingTxid(fundingTxo)!;
    // The child spends Alice's anchor and a chain-wallet coin; the interpreter accepted both.
    expect(spendersOf(commitmentTxid)).toHaveLength(1);
    // Bob broadcast his own commitment on Alice's error: it lost the race, but its scripts
    // verify against the funding output.
    expect(chain.conflictingBroadcasts().map((b) => b.node)).toContain('bob');
    chain.connectBlocks(1);
    expect(chain.confirmations(commitmentTxid)).toBe(1);
  });

  test('a force close of the zero-conf channel by the acceptor broadcasts its commitment', async () => {
    const fundingTxo = bob.channel(zeroConfChannel)!.fundingTxo!;
    bob.forceCloseBroadcastingLatestTxn(zeroConfChannel, alice.nodeIdHex);
    await waitFor(() => closedOnBoth(zeroConfChannel), WAIT_MS, 'ChannelClosed on both sides');
    const commitmentTxid = chain.testChain.getSpendingTxid(fundingTxo);
    expect(commitmentTxid).toBeDefined();
    expect(chain.rejectedBroadcasts()).toEqual([]);
    chain.connectBlocks(1);
    expect(chain.confirmations(commitmentTxid!)).toBe(1);
  });

  test('after to_self_delay every output of both force closes is swept', async () => {
    // Alice: to_local of her anchors commitment and to_remote of Bob's commitment. Bob: to_local
    // of his commitment (the 50,000 sat Alice pushed to him).
    // Delayed outputs wait out to_self_delay; LDK releases each once it is safely deep.
    chain.connectBlocks(TO_SELF_DELAY + MIN_DEPTH);
    await waitFor(
      () =>
        alice.onchain.sweeps.some((s) => s.kinds.includes('DelayedPaymentOutput')) &&
        bob.onchain.sweeps.some((s) => s.kinds.includes('DelayedPaymentOutput')),
      WAIT_MS,
      'both sides to sweep a delayed to_local output',
    );
    // Only Alice has a to_remote output: Bob had no balance in the anchors channel.
    await waitFor(
      () => alice.onchain.sweeps.some((s) => s.kinds.includes('StaticPaymentOutput')),
      WAIT_MS,
      'alice to sweep her to_remote output of the zero-conf channel',
    );
    const sweeps = [...alice.onchain.sweeps, ...bob.onchain.sweeps];
    for (const sweep of sweeps) expect(chain.confirmations(sweep.txid)).toBeDefined();
    chain.connectBlocks(1);
    for (const sweep of sweeps) expect(chain.confirmations(sweep.txid)).toBeGreaterThan(0);
  });

  test('a node fed through Confirm follows a reorganization of its funding block', async () => {
    const carol = await LdkNode.start({ seed: 13, name: 'carol', chain, feedStyle: 'confirm' });
    carolNode = carol;
    await carol.connectTcp('127.0.0.1', port, bob.nodeIdHex);
    await waitFor(() => carol.peer(bob.nodeIdHex) !== undefined, WAIT_MS, 'carol to connect');
    carol.createChannel(bob.nodeIdHex, 250_000n, 0n);
    await waitFor(
      () => carol.channelEvents.some((e) => e.type === 'ChannelPending'),
      WAIT_MS,
      'ChannelPending at carol',
    );
    const channelIdHex = carol.listChannels()[0]!.channelIdHex;
    const fundingTxid = carol.channel(channelIdHex)!.fundingTxo!.txid;
    await waitFor(() => chain.confirmations(fundingTxid) === 0, WAIT_MS, 'funding in mempool');
    chain.connectBlocks(2);
    expect(carol.channel(channelIdHex)!.confirmations).toBe(2);
    // Both blocks replaced by three empty ones: the funding goes back to the mempool.
    chain.reorg(2);
    expect(chain.confirmations(fundingTxid)).toBe(0);
    expect(carol.channel(channelIdHex)!.confirmations ?? 0).toBe(0);
    expect(bob.channel(channelIdHex)!.confirmations ?? 0).toBe(0);
    chain.connectBlocks(MIN_DEPTH);
    await waitFor(
      () =>
        carol.channel(channelIdHex)?.isUsable === true &&
        bob.channel(channelIdHex)?.isUsable === true,
      WAIT_MS,
      'the channel usable after the reorganization',
    );
    expect(carol.allCallbackErrors()).toEqual([]);
    expect(carol.glueErrors()).toEqual([]);
  });

  test('every broadcast was accepted by the script interpreter, no callback failed', () => {
    expect(chain.rejectedBroadcasts()).toEqual([]);
    expect(chain.broadcasts.filter((b) => b.result.accepted).length).toBeGreaterThanOrEqual(6);
    for (const node of [alice, bob]) {
      expect(node.allCallbackErrors()).toEqual([]);
      expect(node.glueErrors()).toEqual([]);
    }
  });
});
