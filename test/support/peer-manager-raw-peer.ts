// A hand-driven Lightning peer for PeerManager tests: it speaks BOLT 8 through its own
// PeerTransport but sends whatever messages the test wants (odd inits, stray pongs, floods),
// and decodes what the manager under test sends back.
import { PeerTransport } from '../../src/transport/peer-transport.js';
import type { PeerManager } from '../../src/peer-manager/peer-manager.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import {
  decodeMessage,
  encodeMessage,
  type Message,
  type UnknownMessage,
} from '../../src/wire/message.js';
import type { InitMessage } from '../../src/wire/messages/setup.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';
import { TestSocket } from './pipe.js';
import { testEntropy, testNodeSigner } from './peer-manager-nodes.js';

export class RawPeer {
  readonly pm: PeerManager;
  /** The socket the manager under test writes to (its side of the connection). */
  readonly pmSocket: TestSocket;
  readonly transport: PeerTransport;
  readonly nodeId: string;
  /** Decoded messages received from the manager, in order. */
  readonly received: Array<Message | UnknownMessage> = [];
  /** Return values of the manager's readEvent calls. */
  readonly pauseSignals: boolean[] = [];

  private constructor(pm: PeerManager, seed: string, dialer: boolean) {
    this.pm = pm;
    const signer = testNodeSigner(seed);
    this.nodeId = toHex(signer.getNodeId());
    const base = {
      localNodeId: signer.getNodeId(),
      ecdh: (pub: Uint8Array) => signer.ecdh(pub),
      ephemeralSecretKey: testEntropy(`raw:${seed}`).getSecureRandomBytes(),
    };
    this.transport = dialer
      ? PeerTransport.initiator({ ...base, remoteNodeId: fromHex(pm.ourNodeId) })
      : PeerTransport.responder(base);
    this.pmSocket = new TestSocket(`raw:${seed}`);
  }

  /** A raw peer that dials `pm`; the handshake runs to completion (no init yet). */
  static dial(pm: PeerManager, seed: string): RawPeer {
    const peer = new RawPeer(pm, seed, true);
    pm.newInboundConnection(peer.pmSocket);
    peer.writeRaw(peer.transport.start());
    peer.pull();
    return peer;
  }

  /** `pm` dials a raw peer; the handshake runs to completion (no init yet). */
  static accept(pm: PeerManager, seed: string): RawPeer {
    const peer = new RawPeer(pm, seed, false);
    pm.newOutboundConnection(peer.nodeId, peer.pmSocket);
    peer.pull(); // act one in, act two out
    peer.pull(); // act three and the manager's init in
    return peer;
  }

  /** Raw bytes to the manager, in chunks of `chunk` bytes. */
  writeRaw(bytes: Uint8Array, chunk = Number.POSITIVE_INFINITY): void {
    for (let off = 0; off < bytes.length; off += chunk) {
      if (this.pmSocket.disconnected) return;
      const end = Math.min(bytes.length, off + chunk);
      this.pauseSignals.push(this.pm.readEvent(this.pmSocket, bytes.subarray(off, end)));
    }
  }

  /** Encrypts and delivers a message (type and payload) to the manager. */
  sendBytes(message: Uint8Array): void {
    this.writeRaw(this.transport.encryptMessage(message));
  }

  send(message: Message | UnknownMessage): void {
    this.sendBytes(encodeMessage(message));
  }

  /** Sends an init: ours by default, fields overridden by `fields`. */
  sendInit(fields: Partial<InitMessage> = {}): void {
    this.send({
      type: 'init',
      globalFeatures: new Uint8Array(0),
      features: ourInitFeatures.toBytes(),
      networks: [chainHashOf('bitcoin')],
      ...fields,
    });
  }

  /** Runs processEvents, then takes and decrypts what the manager wrote; returns new messages. */
  pull(): Array<Message | UnknownMessage> {
    this.pm.processEvents();
    const bytes = this.pmSocket.takeOutbox();
    if (bytes.length === 0) return [];
    const out = this.transport.receive(bytes);
    for (const act of out.send) this.writeRaw(act);
    const fresh = out.messages.map((m) => decodeMessage(m));
    this.received.push(...fresh);
    return fresh;
  }

  /** Completes the init exchange: receives the manager's init and answers with ours. */
  connect(fields: Partial<InitMessage> = {}): void {
    this.sendInit(fields);
    this.pull();
  }

  /** Messages received of one decoded type. */
  ofType<T extends Message['type']>(type: T): Array<Extract<Message, { type: T }>> {
    return this.received.filter(
      (m): m is Extract<Message, { type: T }> => !('kind' in m) && m.type === type,
    );
  }
}
