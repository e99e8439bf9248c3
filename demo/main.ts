/**
 * `npm run demo`: three boltkit nodes, Alice, Bob and Carol, in one process, talking Lightning
 * over real TCP on 127.0.0.1. Alice and Carol dial Bob; each connection runs the BOLT 8
 * encrypted handshake and exchanges `init` (features and chain); Alice pings Bob and the two
 * send each other a custom message. Then, on a small in-memory chain (demo/embedded-chain.ts),
 * Alice opens a channel to Bob and Bob one to Carol, six blocks confirm them and both sides list
 * them (`listChannels`). Carol issues an invoice and Alice pays it across the two hops, Bob
 * forwarding it for a fee (demo/payment.ts); the balances are printed before and after. Finally
 * both channels close cooperatively, the closing transactions are mined, and the nodes
 * disconnect. Exits 0 on success, 1 on any failure, and gives up after 30 seconds.
 *
 * The node keys come from KeysManagers with fixed seeds, so every run prints the same node ids.
 */
import { connectOutbound, listenInbound, nodeCryptoBackend } from '../src/node.js';
import { closeChannels, openChannels } from './channels.js';
import { DemoChain } from './embedded-chain.js';
import { CHAT_MESSAGE_TYPE, makeDemoNode } from './node.js';
import { payAcrossTwoHops } from './payment.js';
import { printStats, say } from './print.js';

const GIVE_UP_MS = 30_000;
const encoder = new TextEncoder();

function fail(e: unknown): never {
  console.error('demo failed:', e instanceof Error ? e.message : e);
  process.exit(1);
}

async function main(): Promise<void> {
  console.log('boltkit demo: three Lightning nodes talking over TCP on 127.0.0.1\n');
  const curve = nodeCryptoBackend.secp256k1 === 'noble' ? 'noble' : 'native libsecp256k1 (addon)';
  console.log(`Crypto: the Node backend (OpenSSL hashes and ChaCha20-Poly1305, ${curve} curve)\n`);
  const chain = new DemoChain();
  const alice = makeDemoNode('Alice', 1, chain, fail);
  const bob = makeDemoNode('Bob', 2, chain, fail);
  const carol = makeDemoNode('Carol', 3, chain, fail);
  for (const n of [alice, bob, carol]) say(n.name, `node id ${n.nodeId}`);

  const listener = await listenInbound(bob.pm, { host: '127.0.0.1', port: 0 });
  say('Bob', `listening on 127.0.0.1:${listener.port}`);
  say('Alice', 'dialling Bob: BOLT 8 encrypted handshake, then init (features, chain: regtest)');
  await connectOutbound(alice.pm, { host: '127.0.0.1', port: listener.port, nodeId: bob.nodeId });
  say('Carol', 'dialling Bob');
  await connectOutbound(carol.pm, { host: '127.0.0.1', port: listener.port, nodeId: bob.nodeId });

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
    bob.nodeId,
    CHAT_MESSAGE_TYPE,
    encoder.encode('Hello Bob, this is Alice!'),
  );
  say('Alice', 'sent a custom message to Bob');
  await bobHears;

  const aliceHears = alice.nextMessage();
  await bob.pm.sendCustomMessage(
    alice.nodeId,
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

  const channels = await openChannels(chain, alice, bob, carol);
  await payAcrossTwoHops(alice, bob, carol, channels);
  await closeChannels(chain, alice, bob, carol, channels);

  console.log('');
  const bobSeesGoodbyes = new Promise<void>((resolve) => {
    let left = 2;
    bob.pm.on('peerDisconnected', () => {
      if (--left === 0) resolve();
    });
  });
  for (const n of [alice, carol]) {
    say(n.name, 'disconnecting from Bob');
    n.pm.disconnectByNodeId(bob.nodeId);
  }
  await bobSeesGoodbyes;

  await listener.close();
  for (const n of [alice, bob, carol]) n.stopTimers();
  console.log(
    '\nDone: handshakes, init, ping, custom messages both ways, two channels opened and confirmed, a payment across two hops with a forwarding fee, both channels closed cooperatively, clean disconnects.',
  );
}

const giveUp = setTimeout(() => {
  console.error(`demo failed: timed out after ${GIVE_UP_MS / 1000} seconds`);
  process.exit(1);
}, GIVE_UP_MS);
giveUp.unref();

main().then(
  () => {
    clearTimeout(giveUp);
    process.exit(0);
  },
  (e: unknown) => {
    fail(e);
  },
);
