/**
 * One demo node wired as a Node.js host wires boltkit: keys from a `KeysManager`, monitors
 * stored through a `KVStoreMonitorPersister` and watched by a `ChainMonitor`, the
 * `ChannelManager` that runs channels and payments, and the `PeerManager` that carries their
 * messages over TCP. Its host loop is what a real node runs: drain the manager's events and
 * answer them, store the manager when it says it changed, and let the PeerManager send what
 * was queued.
 */
import {
  ChainMonitor,
  ChannelManager,
  KeysManager,
  KVStoreMonitorPersister,
  MemoryKVStore,
  PeerManager,
  chainHashOf,
  type CustomMessageHandler,
  type Event,
  type Logger,
} from '../src/index.js';
import { nodeCryptoBackend, startBackgroundTimers } from '../src/node.js';
import type { DemoChain } from './embedded-chain.js';
import { describeAddress, sats, say, short } from './print.js';

/** An odd type in the range BOLT 1 leaves to applications; peers that do not know it ignore it. */
export const CHAT_MESSAGE_TYPE = 32769;

const decoder = new TextDecoder();

export interface DemoNode {
  readonly name: string;
  readonly nodeId: string;
  readonly pm: PeerManager;
  readonly channels: ChannelManager;
  /** Every event the ChannelManager raised, oldest first. */
  readonly events: readonly Event[];
  /** Resolves with the next chat message this node receives. */
  nextMessage(): Promise<{ from: string; text: string }>;
  /**
   * Resolves with the first event of `type` at or after position `since` of `events` (take
   * `events.length` before the call that causes it) that `where` accepts.
   */
  waitForEvent<T extends Event['type']>(
    type: T,
    since: number,
    where?: (e: Extract<Event, { type: T }>) => boolean,
  ): Promise<Extract<Event, { type: T }>>;
  stopTimers(): void;
}

/**
 * Each node's keys come from a KeysManager: the node id, ECDH for the handshake, channel keys
 * and secure randomness. The seeds are fixed so every run prints the same node ids; a real node
 * keeps a secret 32-byte seed and passes the current time as the starting time.
 */
function demoKeys(seedByte: number): KeysManager {
  return new KeysManager(new Uint8Array(32).fill(seedByte), 1_700_000_000, 0, {
    crypto: nodeCryptoBackend,
  });
}

/** `onError` hears anything the host loop could not handle; the demo then fails. */
export function makeDemoNode(
  name: string,
  seedByte: number,
  chain: DemoChain,
  onError: (e: unknown) => void,
): DemoNode {
  // The Node backend: OpenSSL for hashes and ChaCha20-Poly1305, and native libsecp256k1 when
  // the optional addon is built; every component takes the same backend.
  const crypto = nodeCryptoBackend;
  const keys = demoKeys(seedByte);
  let waiting: ((m: { from: string; text: string }) => void) | undefined;
  const chat: CustomMessageHandler = {
    handleCustomMessage(nodeId, type, payload) {
      if (type !== CHAT_MESSAGE_TYPE) return;
      const text = decoder.decode(payload);
      say(name, `received a custom message (type ${type}) from ${short(nodeId)}: "${text}"`);
      waiting?.({ from: nodeId, text });
      waiting = undefined;
    },
  };
  const logger: Logger = {
    log(record) {
      if (record.level === 'warn' || record.level === 'error')
        say(name, `[${record.level}] ${record.message}`);
    },
  };
  // Channels: monitors are stored (here in memory; FilesystemStore from boltkit/node on disk)
  // before the channel may rely on them, the ChainMonitor watches the chain for each channel,
  // and the ChannelManager runs the channels. Both follow the demo chain through `Listen`.
  const store = new MemoryKVStore();
  const persister = new KVStoreMonitorPersister(store);
  const chainMonitor = new ChainMonitor({
    persister,
    broadcaster: chain.broadcaster,
    logger,
    crypto,
  });
  persister.setCompletionTarget(chainMonitor);
  const channels = new ChannelManager({
    watch: chainMonitor,
    broadcaster: chain.broadcaster,
    keys,
    feeEstimator: { getEstSatPer1000Weight: () => 253 },
    logger,
    bestBlock: chain.tip,
    network: 'regtest',
    crypto,
  });
  chain.attach(chainMonitor);
  chain.attach(channels);
  const pm = new PeerManager({
    nodeSigner: keys,
    entropySource: keys,
    chainHash: chainHashOf('regtest'),
    channelMessageHandler: channels,
    customMessageHandler: chat,
    logger,
    crypto,
    now: () => Date.now(),
    // 127.0.0.1 is a private address; report it anyway so the demo can show remote_addr.
    sendPrivateRemoteAddress: true,
  });
  pm.on('peerConnected', (e) => {
    say(
      name,
      `connected to ${short(e.nodeId)} (${e.inbound ? 'they dialled us' : 'we dialled them'})`,
    );
    say(
      name,
      `  the peer says it reached us at ${describeAddress(e.ourAddressSeenByPeer)} (init remote_addr)`,
    );
  });
  pm.on('peerDisconnected', (e) => {
    say(name, `disconnected from ${short(e.nodeId)} (reason: ${e.reason})`);
  });
  // The background timers ping peers every tick and send queued messages promptly.
  const stopPeerTimers = startBackgroundTimers(pm, 5_000);

  const events: Event[] = [];
  const answer = (event: Event): void => {
    switch (event.type) {
      case 'FundingGenerationReady': {
        const tx = chain.wallet.createFundingTx(event.outputScript, event.channelValueSat);
        channels.fundingTransactionGenerated(
          event.temporaryChannelId,
          event.counterpartyNodeId,
          tx,
        );
        break;
      }
      case 'OpenChannelRequest':
        say(
          name,
          `${short(event.counterpartyNodeId)} asks to open ${event.fundingSat.toLocaleString('en-US')} sat: accepting`,
        );
        channels.acceptInboundChannel(event.temporaryChannelId, event.counterpartyNodeId, 0n);
        break;
      case 'PendingHTLCsForwardable':
        // A real node waits a short random time here (privacy, and to batch HTLCs); the demo
        // forwards or receives at once.
        say(name, 'PendingHTLCsForwardable: processPendingHtlcForwards()');
        channels.processPendingHtlcForwards();
        break;
      case 'PaymentClaimable': {
        // Our invoices come from createBolt11Invoice, whose preimage boltkit derives and hands
        // back here; a host that chose its own hash (createInboundPaymentForHash) keeps it.
        const preimage = event.purpose.paymentPreimage;
        if (preimage === undefined) throw new Error('PaymentClaimable without a preimage');
        say(
          name,
          `PaymentClaimable: ${sats(event.amountMsat)} for payment ${event.paymentHash.slice(0, 16)}…; claimFunds(preimage)`,
        );
        channels.claimFunds(preimage);
        break;
      }
      case 'PaymentClaimed':
        say(name, `PaymentClaimed: ${sats(event.amountMsat)} received`);
        break;
      case 'PaymentForwarded':
        say(
          name,
          `PaymentForwarded: passed ${sats(event.outboundAmountForwardedMsat)} on to ${short(event.nextNodeId ?? '?')}, earned a fee of ${sats(event.totalFeeEarnedMsat)}`,
        );
        break;
      case 'PaymentSent':
        say(
          name,
          `PaymentSent: preimage ${event.paymentPreimage.slice(0, 16)}…, fee paid ${sats(event.feePaidMsat)}`,
        );
        break;
      case 'PaymentFailed':
        throw new Error(`payment ${event.paymentId} failed: ${event.reason}`);
      default:
        break;
    }
  };
  // The ChannelManager's own state (channels, payments) is stored whenever it says it changed;
  // monitors are stored by the persister above on every update.
  let storing = false;
  const persistManager = (): void => {
    if (storing || !channels.getAndClearNeedsPersistence()) return;
    storing = true;
    store.write('', '', 'manager', channels.serialize()).then(
      () => {
        storing = false;
      },
      (e: unknown) => {
        onError(e);
      },
    );
  };
  // The host's event loop. A real host runs this whenever something happened; a short
  // interval does here.
  const loop = setInterval(() => {
    try {
      for (const event of channels.getAndClearPendingEvents()) {
        events.push(event);
        answer(event);
      }
      persistManager();
      pm.processEvents();
    } catch (e) {
      onError(e);
    }
  }, 5);

  return {
    name,
    nodeId: pm.ourNodeId,
    pm,
    channels,
    events,
    nextMessage: () => new Promise((resolve) => (waiting = resolve)),
    waitForEvent: async <T extends Event['type']>(
      type: T,
      since: number,
      where?: (e: Extract<Event, { type: T }>) => boolean,
    ): Promise<Extract<Event, { type: T }>> => {
      const find = (): Extract<Event, { type: T }> | undefined =>
        events
          .slice(since)
          .find(
            (e): e is Extract<Event, { type: T }> =>
              e.type === type && (where?.(e as Extract<Event, { type: T }>) ?? true),
          );
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stopTimers: () => {
      clearInterval(loop);
      stopPeerTimers();
    },
  };
}
