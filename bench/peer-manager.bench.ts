/**
 * PeerManager: connections per second (BOLT 8 handshake plus the init exchange, both managers
 * in one process, bytes passed in memory), custom-message throughput through two managers
 * (encrypt, queue, write, read, decrypt, decode, route), and heap held per connected peer. Runs
 * on the noble backend and on the node-openssl backend.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { createNodeCryptoBackend } from '../src/node/crypto-backend.js';
import { PeerManager } from '../src/peer-manager/peer-manager.js';
import type { SocketDescriptor } from '../src/peer-manager/socket-descriptor.js';
import { PeerTransport } from '../src/transport/peer-transport.js';
import { fromHex } from '../src/util/bytes.js';
import { encodeMessage } from '../src/wire/message.js';
import { ourInitFeatures } from '../src/wire/our-features.js';
import { measureSync, type BenchResult } from './harness.js';

const GROUP = 'PeerManager';
const enc = new TextEncoder();

/** A socket that keeps what is written until the bench moves it. */
class MemorySocket implements SocketDescriptor {
  readonly id: string;
  out: Uint8Array[] = [];
  constructor(id: string) {
    this.id = id;
  }
  sendData(bytes: Uint8Array): number {
    if (bytes.length > 0) this.out.push(bytes.slice());
    return bytes.length;
  }
  disconnectSocket(): void {
    this.out = [];
  }
}

function keysFor(seed: string, crypto: CryptoBackend) {
  const secret = sha256(enc.encode(seed));
  const nodeId = crypto.getPublicKey(secret);
  let n = 0;
  return {
    nodeSigner: { getNodeId: () => nodeId, ecdh: (pk: Uint8Array) => crypto.ecdh(secret, pk) },
    entropySource: { getSecureRandomBytes: () => sha256(enc.encode(`${seed}/${n++}`)) },
  };
}

function manager(seed: string, crypto: CryptoBackend, onCustom?: () => void): PeerManager {
  return new PeerManager({
    ...keysFor(seed, crypto),
    crypto,
    ...(onCustom === undefined ? {} : { customMessageHandler: { handleCustomMessage: onCustom } }),
  });
}

/** Moves bytes both ways until both sides are quiet. */
function pump(a: PeerManager, sa: MemorySocket, b: PeerManager, sb: MemorySocket): void {
  for (;;) {
    let moved = false;
    for (const [from, to, pm] of [
      [sa, sb, b],
      [sb, sa, a],
    ] as const) {
      const chunks = from.out;
      from.out = [];
      for (const c of chunks) {
        moved = true;
        pm.readEvent(to, c);
      }
    }
    a.processEvents();
    b.processEvents();
    if (!moved && sa.out.length === 0 && sb.out.length === 0) return;
  }
}

let pairs = 0;
function connectPair(a: PeerManager, b: PeerManager): { sa: MemorySocket; sb: MemorySocket } {
  const sa = new MemorySocket(`a${pairs}`);
  const sb = new MemorySocket(`b${pairs++}`);
  b.newInboundConnection(sb);
  a.newOutboundConnection(b.ourNodeId, sa);
  pump(a, sa, b, sb);
  return { sa, sb };
}

function connectRate(crypto: CryptoBackend): number {
  const a = manager('bench-a', crypto);
  const b = manager('bench-b', crypto);
  return measureSync(() => {
    const { sa, sb } = connectPair(a, b);
    a.disconnectAllPeers();
    b.socketDisconnected(sb);
    sa.out = [];
  }, 1500);
}

function throughput(crypto: CryptoBackend, size: number): number {
  let received = 0;
  const a = manager('bench-a', crypto);
  const b = manager('bench-b', crypto, () => received++);
  const { sa, sb } = connectPair(a, b);
  const payload = new Uint8Array(size).fill(7);
  const batch = 16;
  const ops = measureSync(() => {
    for (let i = 0; i < batch; i++) void a.sendCustomMessage(b.ourNodeId, 32769, payload);
    pump(a, sa, b, sb);
  }, 1500);
  if (received === 0) throw new Error('no custom message arrived');
  return (ops * batch * size) / 1e6;
}

/** Heap held by one manager per connected peer, in KiB (needs --expose-gc to be steady). */
function heapPerPeer(crypto: CryptoBackend, peers: number): { kib: number; gc: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc;
  const hub = manager('bench-hub', crypto);
  const hubId = fromHex(hub.ourNodeId);
  const init = encodeMessage({
    type: 'init',
    globalFeatures: new Uint8Array(0),
    features: ourInitFeatures.toBytes(),
  });
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < peers; i++) {
    const { nodeSigner } = keysFor(`peer-${i}`, crypto);
    const t = PeerTransport.initiator({
      localNodeId: nodeSigner.getNodeId(),
      ecdh: nodeSigner.ecdh,
      ephemeralSecretKey: sha256(enc.encode(`eph-${i}`)),
      remoteNodeId: hubId,
      crypto,
    });
    const s = new MemorySocket(`peer-${i}`);
    hub.newInboundConnection(s);
    hub.readEvent(s, t.start());
    const actThree = t.receive(s.out.splice(0)[0]!).send[0]!;
    hub.readEvent(s, actThree);
    hub.readEvent(s, t.encryptMessage(init));
    s.out = [];
  }
  if (hub.listPeers().length !== peers) throw new Error('not every peer connected');
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return { kib: (after - before) / peers / 1024, gc: gc !== undefined };
}

export async function run(): Promise<BenchResult[]> {
  const node = createNodeCryptoBackend();
  const backends: Array<[string, CryptoBackend]> = [
    ['boltkit (noble)', nobleBackend],
    [`boltkit (node-openssl, ${node.secp256k1})`, node],
  ];
  const results: BenchResult[] = [];
  for (const [impl, crypto] of backends) {
    results.push({
      group: GROUP,
      name: 'connect: handshake + init, both sides',
      impl,
      opsPerSec: connectRate(crypto),
    });
    for (const [label, size] of [
      ['1 KB', 1024],
      ['60 KB', 60_000],
    ] as const) {
      results.push({
        group: GROUP,
        name: `custom messages ${label}, send to receive`,
        impl,
        mbPerSec: throughput(crypto, size),
      });
    }
  }
  const heap = heapPerPeer(nobleBackend, 500);
  results.push({
    group: GROUP,
    name: 'heap per connected peer (500 peers)',
    impl: 'boltkit (noble)',
    value: heap.kib,
    unit: 'KiB',
    ...(heap.gc ? {} : { note: 'run with node --expose-gc for a steadier figure' }),
  });
  return Promise.resolve(results);
}
