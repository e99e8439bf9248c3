/**
 * `npm run demo`: two boltkit nodes, Alice and Bob, in one process, talking Lightning over real
 * TCP on 127.0.0.1. Alice dials Bob; they run the BOLT 8 encrypted handshake, exchange `init`
 * (features and chain), Alice pings Bob and each sends the other a custom message. Then Alice
 * opens a channel to Bob on a small in-memory chain (demo/embedded-chain.ts): her wallet funds
 * it, six blocks confirm it, we print the channel as both sides see it (`listChannels`), and
 * Alice closes it cooperatively; the closing transaction is mined and we print the balances.
 * Exits 0 on success, 1 on any failure, and gives up after 10 seconds.
 *
 * The node keys come from KeysManagers with fixed seeds, so every run prints the same node ids.
 */
import {
  ChainMonitor,
  ChannelManager,
  KeysManager,
  KVStoreMonitorPersister,
  MemoryKVStore,
  PeerManager,
  chainHashOf,
  type ChannelDetails,
  type CustomMessageHandler,
  type Event,
  type Logger,
  type PeerDetails,
} from '../src/index.js';
import { connectOutbound, listenInbound, startBackgroundTimers } from '../src/node.js';
import type { NetAddress } from '../src/wire/address.js';
import { DemoChain } from './embedded-chain.js';

/** An odd type in the range BOLT 1 leaves to applications; peers that do not know it ignore it. */
const CHAT_MESSAGE_TYPE = 32769;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function short(nodeId: string): string {
  return `${nodeId.slice(0, 8)}…${nodeId.slice(-4)}`;
}

function say(who: string, line: string): void {
  console.log(`${who.padEnd(6)}| ${line}`);
}

function describeAddress(a: NetAddress | undefined): string {
  if (a === undefined) return 'not reported';
  if (a.type === 'ipv4') return `${a.addr.join('.')}:${a.port}`;
  if (a.type === 'dns') return `${a.hostname}:${a.port}`;
  return `${a.type} address, port ${'port' in a ? a.port : '?'}`;
}

/**
 * Each node's keys come from a KeysManager: the node id, ECDH for the handshake and secure
 * randomness. The seeds are fixed so every run prints the same node ids; a real node keeps a
 * secret 32-byte seed and passes the current time as the starting time.
 */
function demoKeys(seedByte: number): KeysManager {
  return new KeysManager(new Uint8Array(32).fill(seedByte), 1_700_000_000, 0);
}

interface DemoNode {
  readonly name: string;
  readonly pm: PeerManager;
  readonly channels: ChannelManager;
  /** Resolves with the next chat message this node receives. */
  nextMessage(): Promise<{ from: string; text: string }>;
  /** Resolves with the next event of this type the ChannelManager raises. */
  nextEvent<T extends Event['type']>(type: T): Promise<Extract<Event, { type: T }>>;
  stopTimers(): void;
}

function makeDemoNode(name: string, seedByte: number, chain: DemoChain): DemoNode {
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
  const persister = new KVStoreMonitorPersister(new MemoryKVStore());
  const chainMonitor = new ChainMonitor({ persister, broadcaster: chain.broadcaster, logger });
  persister.setCompletionTarget(chainMonitor);
  const channels = new ChannelManager({
    watch: chainMonitor,
    broadcaster: chain.broadcaster,
    keys,
    feeEstimator: { getEstSatPer1000Weight: () => 253 },
    logger,
    bestBlock: chain.tip,
    network: 'regtest',
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
  // The host's event loop: answer what the ChannelManager asks for, then let the PeerManager
  // send what the channels queued. A real host runs this whenever something happened.
  const eventWaiters: { type: Event['type']; resolve: (e: Event) => void }[] = [];
  const loop = setInterval(() => {
    for (const event of channels.getAndClearPendingEvents()) {
      if (event.type === 'FundingGenerationReady') {
        const tx = chain.wallet.createFundingTx(event.outputScript, event.channelValueSat);
        channels.fundingTransactionGenerated(
          event.temporaryChannelId,
          event.counterpartyNodeId,
          tx,
        );
      } else if (event.type === 'OpenChannelRequest') {
        say(
          name,
          `${short(event.counterpartyNodeId)} asks to open ${event.fundingSat} sat: accepting`,
        );
        channels.acceptInboundChannel(event.temporaryChannelId, event.counterpartyNodeId, 0n);
      }
      const i = eventWaiters.findIndex((w) => w.type === event.type);
      if (i >= 0) eventWaiters.splice(i, 1)[0]!.resolve(event);
    }
    pm.processEvents();
  }, 5);
  return {
    name,
    pm,
    channels,
    nextMessage: () => new Promise((resolve) => (waiting = resolve)),
    nextEvent: <T extends Event['type']>(type: T) =>
      new Promise<Extract<Event, { type: T }>>((resolve) => {
        eventWaiters.push({ type, resolve: (e) => resolve(e as Extract<Event, { type: T }>) });
      }),
    stopTimers: () => {
      clearInterval(loop);
      stopPeerTimers();
    },
  };
}

function sats(msat: bigint): string {
  return `${(msat / 1000n).toLocaleString('en-US')} sat`;
}

function printChannel(name: string, c: ChannelDetails | undefined): void {
  if (c === undefined) throw new Error(`${name} does not list the channel`);
  say(name, `channel ${c.channelId}`);
  say(
    name,
    `  with ${short(c.counterpartyNodeId)}, ${c.isOutbound ? 'we opened it' : 'they opened it'}, type ${c.channelType}`,
  );
  say(
    name,
    `  funding ${c.fundingTxo?.txid ?? '?'}:${c.fundingTxo?.index ?? '?'}, ${c.confirmations ?? 0} confirmations`,
  );
  say(
    name,
    `  capacity ${c.channelValueSat.toLocaleString('en-US')} sat; our balance ${sats(c.balanceMsat)}`,
  );
  say(
    name,
    `  can send ${sats(c.outboundCapacityMsat)}, can receive ${sats(c.inboundCapacityMsat)}; usable: ${c.isUsable}`,
  );
}

/** Waits for `predicate`, checking after each macrotask; the demo's global timeout bounds it. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function channelDemo(chain: DemoChain, alice: DemoNode, bob: DemoNode): Promise<void> {
  console.log('\nA channel, on a small in-memory chain:');
  say(
    'Chain',
    `height ${chain.height}; Alice's wallet holds ${chain.wallet.balanceSat().toLocaleString('en-US')} sat`,
  );
  const bobId = bob.pm.ourNodeId;
  const pending = alice.nextEvent('ChannelPending');
  const temporaryId = alice.channels.createChannel(bobId, 500_000n, 100_000_000n, 1n);
  say(
    'Alice',
    `createChannel: 500,000 sat to Bob, pushing him 100,000 sat (temporary id ${temporaryId.slice(0, 16)}…)`,
  );
  const { channelId, fundingTxo } = await pending;
  say('Alice', `funding signed by both sides; funding transaction ${fundingTxo.txid} broadcast`);
  await until(() => chain.inMempool(fundingTxo.txid));
  const ready = Promise.all([alice.nextEvent('ChannelReady'), bob.nextEvent('ChannelReady')]);
  chain.mineBlocks(6);
  say(
    'Chain',
    `mined 6 blocks: the funding transaction has ${chain.confirmations(fundingTxo.txid)} confirmations`,
  );
  await ready;
  await until(
    () =>
      alice.channels.listUsableChannels().length === 1 &&
      bob.channels.listUsableChannels().length === 1,
  );
  say('Alice', 'ChannelReady: the channel is usable');
  printChannel(
    'Alice',
    alice.channels.listChannels().find((c) => c.channelId === channelId),
  );
  printChannel(
    'Bob',
    bob.channels.listChannels().find((c) => c.channelId === channelId),
  );

  const closed = Promise.all([alice.nextEvent('ChannelClosed'), bob.nextEvent('ChannelClosed')]);
  say('Alice', 'closeChannel: cooperative close (shutdown, closing_signed)');
  alice.channels.closeChannel(channelId, bobId);
  const [aliceClosed] = await closed;
  say('Alice', `ChannelClosed: ${aliceClosed.reason.type}`);
  const closingTxid = chain.mempoolTxids()[0];
  if (closingTxid === undefined) throw new Error('no closing transaction was broadcast');
  chain.mineBlocks(1);
  say(
    'Chain',
    `closing transaction ${closingTxid} mined: ${chain.confirmations(closingTxid)} confirmation`,
  );
  for (const { scriptPubKey, valueSat } of chain.outputsOf(closingTxid)) {
    say('Chain', `  pays ${valueSat.toLocaleString('en-US')} sat to script ${scriptPubKey}`);
  }
}

function printStats(name: string, peers: PeerDetails[]): void {
  for (const p of peers) {
    say(
      name,
      `peer ${short(p.nodeId)}, ${p.inbound ? 'inbound' : 'outbound'}, at ${describeAddress(p.address)}`,
    );
    say(
      name,
      `  bytes in/out: ${p.bytesIn}/${p.bytesOut}, messages in/out: ${p.messagesIn}/${p.messagesOut}`,
    );
    const rtt =
      p.lastPingRoundTripMs === undefined ? 'no ping answered yet' : `${p.lastPingRoundTripMs} ms`;
    say(name, `  last ping round trip: ${rtt}`);
  }
}

async function main(): Promise<void> {
  console.log('boltkit demo: two Lightning nodes talking over TCP on 127.0.0.1\n');
  const chain = new DemoChain();
  const alice = makeDemoNode('Alice', 1, chain);
  const bob = makeDemoNode('Bob', 2, chain);
  say('Alice', `node id ${alice.pm.ourNodeId}`);
  say('Bob', `node id ${bob.pm.ourNodeId}`);

  const listener = await listenInbound(bob.pm, { host: '127.0.0.1', port: 0 });
  say('Bob', `listening on 127.0.0.1:${listener.port}`);
  say('Alice', 'dialling Bob: BOLT 8 encrypted handshake, then init (features, chain: regtest)');
  await connectOutbound(alice.pm, {
    host: '127.0.0.1',
    port: listener.port,
    nodeId: bob.pm.ourNodeId,
  });

  const [bobSeenByAlice] = alice.pm.listPeers();
  if (bobSeenByAlice === undefined) throw new Error('Alice has no peer after connecting');
  const negotiated = bobSeenByAlice.negotiatedFeatures.names();
  say('Alice', `features negotiated with Bob: ${negotiated.join(', ')}`);

  // A tick makes Alice ping Bob. TCP keeps order, so Bob's pong reaches Alice before his reply
  // to her message below, and the round trip is known by then.
  alice.pm.timerTickOccurred();
  say('Alice', 'pinged Bob (keep-alive)');

  const bobHears = bob.nextMessage();
  await alice.pm.sendCustomMessage(
    bob.pm.ourNodeId,
    CHAT_MESSAGE_TYPE,
    encoder.encode('Hello Bob, this is Alice!'),
  );
  say('Alice', 'sent a custom message to Bob');
  await bobHears;

  const aliceHears = alice.nextMessage();
  await bob.pm.sendCustomMessage(
    alice.pm.ourNodeId,
    CHAT_MESSAGE_TYPE,
    encoder.encode('Hi Alice, Bob here. Loud and clear.'),
  );
  say('Bob', 'sent a custom message to Alice');
  await aliceHears;

  console.log('\nConnection statistics (listPeers):');
  printStats('Alice', alice.pm.listPeers());
  printStats('Bob', bob.pm.listPeers());
  if (alice.pm.listPeers()[0]?.lastPingRoundTripMs === undefined) {
    throw new Error('the ping was not answered');
  }

  await channelDemo(chain, alice, bob);

  console.log('');
  const bobSeesGoodbye = new Promise<void>((resolve) =>
    bob.pm.once('peerDisconnected', () => resolve()),
  );
  say('Alice', 'disconnecting from Bob');
  alice.pm.disconnectByNodeId(bob.pm.ourNodeId);
  await bobSeesGoodbye;

  await listener.close();
  alice.stopTimers();
  bob.stopTimers();
  console.log(
    '\nDone: handshake, init, ping, custom messages both ways, a channel opened, confirmed and closed cooperatively, clean disconnect.',
  );
}

const giveUp = setTimeout(() => {
  console.error('demo failed: timed out after 10 seconds');
  process.exit(1);
}, 10_000);
giveUp.unref();

main().then(
  () => {
    clearTimeout(giveUp);
    process.exit(0);
  },
  (e: unknown) => {
    console.error('demo failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
