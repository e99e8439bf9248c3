/**
 * Scenario helpers for tests and benchmarks that need two LDK nodes with a usable channel and
 * do not care how they got there: connect over TCP, open, fund from the chain wallet, mine to
 * LDK's default depth, wait until both sides can use it.
 */
import type { LdkNode } from './ldk-node.js';
import { waitFor } from './wait-for.js';

/** LDK's default `minimum_depth` for a channel it accepts. */
export const LDK_MIN_DEPTH = 6;

export interface OpenLdkChannelOptions {
  readonly valueSat: bigint;
  readonly pushMsat?: bigint;
  /** Channel type: anchors or static_remotekey; the opener's node setting by default. */
  readonly anchors?: boolean;
  /** Bound on each wait; 15 s by default. */
  readonly timeoutMs?: number;
}

/**
 * Connects `a` to `b` over TCP on 127.0.0.1 unless they are connected already (`b` listens on
 * a fresh port) and waits for both to list each other.
 */
export async function connectLdkNodes(a: LdkNode, b: LdkNode, timeoutMs = 15_000): Promise<void> {
  if (a.peer(b.nodeIdHex) !== undefined && b.peer(a.nodeIdHex) !== undefined) return;
  const port = await b.listenTcp();
  await a.connectTcp('127.0.0.1', port, b.nodeIdHex);
  await waitFor(
    () => a.peer(b.nodeIdHex) !== undefined && b.peer(a.nodeIdHex) !== undefined,
    timeoutMs,
    `${a.name} and ${b.name} to connect`,
  );
}

/**
 * Opens a channel from `opener` to `acceptor` (both on the same `LdkChain`, the acceptor
 * accepting inbound channels), mines the funding `LDK_MIN_DEPTH` deep and resolves to the
 * channel id once both sides report it usable.
 */
export async function openLdkChannel(
  opener: LdkNode,
  acceptor: LdkNode,
  options: OpenLdkChannelOptions,
): Promise<string> {
  if (opener.chain !== acceptor.chain) throw new Error('openLdkChannel: nodes on different chains');
  const timeoutMs = options.timeoutMs ?? 15_000;
  await connectLdkNodes(opener, acceptor, timeoutMs);
  const temporaryId = opener.createChannel(
    acceptor.nodeIdHex,
    options.valueSat,
    options.pushMsat ?? 0n,
    options.anchors === undefined ? {} : { anchors: options.anchors },
  );
  let channelIdHex: string | undefined;
  await waitFor(
    () => {
      const pending = opener.channelEvents.find(
        (e) => e.type === 'ChannelPending' && e.formerTemporaryChannelIdHex === temporaryId,
      );
      if (pending?.type !== 'ChannelPending') return false;
      channelIdHex = pending.channelIdHex;
      return opener.chain.confirmations(pending.fundingTxo.txid) === 0;
    },
    timeoutMs,
    'the funding transaction in the mempool',
  );
  const id = channelIdHex!;
  opener.chain.connectBlocks(LDK_MIN_DEPTH);
  await waitFor(
    () => opener.channel(id)?.isUsable === true && acceptor.channel(id)?.isUsable === true,
    timeoutMs,
    'the channel usable on both sides',
  );
  return id;
}
