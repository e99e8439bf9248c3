/**
 * `npm run demo`: two boltkit nodes, Alice and Bob, in one process, talking Lightning over real
 * TCP on 127.0.0.1. Alice dials Bob; they run the BOLT 8 encrypted handshake, exchange `init`
 * (features and chain), Alice pings Bob, each sends the other a custom message, and we print
 * what happened and the connection statistics. Exits 0 on success, 1 on any failure, and gives
 * up after 10 seconds.
 *
 * The node keys come from KeysManagers with fixed seeds, so every run prints the same node ids.
 */
import {
  KeysManager,
  PeerManager,
  chainHashOf,
  type CustomMessageHandler,
  type Logger,
  type PeerDetails,
} from '../src/index.js';
import { connectOutbound, listenInbound, startBackgroundTimers } from '../src/node.js';
import type { NetAddress } from '../src/wire/address.js';

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
  /** Resolves with the next chat message this node receives. */
  nextMessage(): Promise<{ from: string; text: string }>;
  stopTimers(): void;
}

function makeDemoNode(name: string, seedByte: number): DemoNode {
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
  const pm = new PeerManager({
    nodeSigner: keys,
    entropySource: keys,
    chainHash: chainHashOf('regtest'),
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
  const stopTimers = startBackgroundTimers(pm, 5_000);
  return {
    name,
    pm,
    nextMessage: () => new Promise((resolve) => (waiting = resolve)),
    stopTimers,
  };
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
  const alice = makeDemoNode('Alice', 1);
  const bob = makeDemoNode('Bob', 2);
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
  console.log('\nDone: handshake, init, ping, custom messages both ways, clean disconnect.');
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
