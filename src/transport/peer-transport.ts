/**
 * One BOLT 8 connection's crypto, sans-I/O: the host (the PeerManager) feeds received bytes in and
 * writes out what comes back. It runs the three-act Noise_XK handshake in either role, then
 * encrypts and decrypts BOLT 1 messages in length-prefixed frames with key rotation
 * (BOLT 8, "Authenticated Key Exchange Handshake Specification" and "Lightning Message
 * Specification").
 *
 * Failure: every peer fault (a bad act, a bad MAC, a bad version) throws `TransportError`, after
 * which the transport is dead and every further call throws `TransportError` too; the connection
 * must be closed. Caller mistakes (an oversized message, a call in the wrong order) throw
 * `APIMisuseError` and leave the transport usable.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import {
  CipherState,
  LENGTH_HEADER_LENGTH,
  MAC_LENGTH,
  MessageDecryptor,
  MessageEncryptor,
} from './cipher-state.js';
import { TransportError, TransportFailure } from './errors.js';
import { FrameDecoder } from './frame-decoder.js';
import {
  ACT_ONE_LENGTH,
  ACT_THREE_LENGTH,
  ACT_TWO_LENGTH,
  InitiatorHandshake,
  ResponderHandshake,
  type SessionKeys,
} from './handshake.js';

export interface PeerTransportOptions {
  /** Our static public key (node id), 33 bytes compressed. */
  localNodeId: Uint8Array;
  /**
   * ECDH with our node key: SHA256(compressed(k_local * publicKey)). The node key may live in a
   * signer (`KeysInterface.ecdh`), so the transport never needs the secret key itself. Called
   * once per handshake, synchronously.
   */
  ecdh: (publicKey: Uint8Array) => Uint8Array;
  /**
   * This connection's ephemeral secret, 32 bytes. It must be fresh for every connection (the
   * caller takes it from `KeysInterface` entropy); it is injected so tests are deterministic.
   */
  ephemeralSecretKey: Uint8Array;
  /** Crypto backend; `nobleBackend` when omitted. */
  crypto?: CryptoBackend;
}

/** What one `receive` call produced. */
export interface TransportOutput {
  /** Bytes to write to the socket, in order (act two or act three during the handshake). */
  send: Uint8Array[];
  /** Every complete decrypted message (a BOLT 1 message: 2-byte type, then payload). */
  messages: Uint8Array[];
}

type Phase = 'start' | 'actOne' | 'actTwo' | 'actThree' | 'ready' | 'dead';

const EMPTY = new Uint8Array(0);

function checkNodeId(crypto: CryptoBackend, key: unknown, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 33 || !crypto.isValidPublicKey(key)) {
    throw new APIMisuseError(`${what}: expected a 33-byte compressed secp256k1 public key`);
  }
  return key.slice();
}

/** A BOLT 8 connection, from the first handshake byte to the encrypted message stream. */
export class PeerTransport {
  private phase: Phase;
  private readonly isInitiator: boolean;
  private readonly decoder = new FrameDecoder();
  private readonly crypto: CryptoBackend;
  private initiator: InitiatorHandshake | undefined;
  private responder: ResponderHandshake | undefined;
  private readonly ephemeralSecretKey: Uint8Array;
  private remote: Uint8Array | undefined;
  private encryptor: MessageEncryptor | undefined;
  private decryptor: MessageDecryptor | undefined;
  /** The body length of the frame being received, once its header has been decrypted. */
  private bodyLength: number | undefined;

  private constructor(
    opts: PeerTransportOptions,
    remoteNodeId: Uint8Array | undefined,
    phase: Phase,
  ) {
    const crypto = opts.crypto ?? nobleBackend;
    this.crypto = crypto;
    const localStatic = checkNodeId(crypto, opts.localNodeId, 'localNodeId');
    const ephemeral = opts.ephemeralSecretKey;
    if (!(ephemeral instanceof Uint8Array) || !crypto.isValidSecretKey(ephemeral)) {
      throw new APIMisuseError('ephemeralSecretKey: expected a valid 32-byte secp256k1 secret key');
    }
    if (typeof opts.ecdh !== 'function') {
      throw new APIMisuseError('ecdh: expected a function');
    }
    this.ephemeralSecretKey = ephemeral.slice();
    this.phase = phase;
    this.isInitiator = remoteNodeId !== undefined;
    if (remoteNodeId !== undefined) {
      this.remote = remoteNodeId;
      this.initiator = new InitiatorHandshake({
        crypto,
        localStatic,
        remoteStatic: remoteNodeId,
        ephemeralSecret: this.ephemeralSecretKey,
        ecdh: opts.ecdh,
      });
    } else {
      this.responder = new ResponderHandshake({
        crypto,
        localStatic,
        ephemeralSecret: this.ephemeralSecretKey,
        ecdh: opts.ecdh,
      });
    }
  }

  /** The side that opens the connection; it must know the peer's node id. */
  static initiator(opts: PeerTransportOptions & { remoteNodeId: Uint8Array }): PeerTransport {
    const crypto = opts.crypto ?? nobleBackend;
    return new PeerTransport(opts, checkNodeId(crypto, opts.remoteNodeId, 'remoteNodeId'), 'start');
  }

  /** The side that accepted the connection; it learns the peer's node id from act three. */
  static responder(opts: PeerTransportOptions): PeerTransport {
    return new PeerTransport(opts, undefined, 'actOne');
  }

  /**
   * Bytes to send first: act one (50 bytes) for an initiator, empty for a responder. An
   * initiator must call it exactly once, before `receive`.
   */
  start(): Uint8Array {
    this.assertAlive();
    if (!this.isInitiator) return EMPTY;
    if (this.phase !== 'start' || this.initiator === undefined) {
      throw new APIMisuseError('transport: start() was already called');
    }
    const act = this.initiator.writeActOne();
    this.phase = 'actTwo';
    return act;
  }

  /**
   * Feeds received bytes, split anywhere. Returns the bytes to send and every message completed
   * by them. Throws `TransportError` on a bad act or frame; the transport is dead afterwards and
   * messages decoded earlier in the same call are dropped with it.
   */
  receive(bytes: Uint8Array): TransportOutput {
    this.assertAlive();
    if (this.phase === 'start') {
      throw new APIMisuseError('transport: an initiator must call start() before receive()');
    }
    if (!(bytes instanceof Uint8Array)) {
      throw new APIMisuseError('receive: expected a Uint8Array');
    }
    const out: TransportOutput = { send: [], messages: [] };
    this.decoder.push(bytes);
    try {
      while (this.step(out));
    } catch (e) {
      this.die();
      throw e;
    }
    return out;
  }

  /** Decodes one act or one frame part; false when more bytes are needed. */
  private step(out: TransportOutput): boolean {
    switch (this.phase) {
      case 'actOne': {
        const act = this.decoder.take(ACT_ONE_LENGTH);
        if (act === undefined) return false;
        out.send.push(this.responder!.readActOne(act));
        this.phase = 'actThree';
        return true;
      }
      case 'actTwo': {
        const act = this.decoder.take(ACT_TWO_LENGTH);
        if (act === undefined) return false;
        const { actThree, keys } = this.initiator!.readActTwo(act);
        out.send.push(actThree);
        this.becomeReady(keys);
        return true;
      }
      case 'actThree': {
        const act = this.decoder.take(ACT_THREE_LENGTH);
        if (act === undefined) return false;
        const { remoteStatic, keys } = this.responder!.readActThree(act);
        this.remote = remoteStatic;
        this.becomeReady(keys);
        return true;
      }
      case 'ready': {
        const decryptor = this.decryptor!;
        if (this.bodyLength === undefined) {
          const header = this.decoder.take(LENGTH_HEADER_LENGTH);
          if (header === undefined) return false;
          this.bodyLength = decryptor.decryptLength(header);
        }
        const body = this.decoder.take(this.bodyLength + MAC_LENGTH);
        if (body === undefined) return false;
        this.bodyLength = undefined;
        out.messages.push(decryptor.decryptBody(body));
        return true;
      }
      case 'start':
      case 'dead':
        return false;
    }
  }

  private becomeReady(keys: SessionKeys): void {
    this.encryptor = new MessageEncryptor(
      new CipherState(keys.sendingKey, keys.chainingKey, this.crypto),
    );
    this.decryptor = new MessageDecryptor(
      new CipherState(keys.receivingKey, keys.chainingKey, this.crypto),
    );
    this.phase = 'ready';
    this.forgetHandshake();
  }

  private forgetHandshake(): void {
    this.initiator = undefined;
    this.responder = undefined;
    this.ephemeralSecretKey.fill(0);
  }

  private die(): void {
    this.phase = 'dead';
    this.forgetHandshake();
    this.encryptor = undefined;
    this.decryptor = undefined;
    this.decoder.clear();
  }

  private assertAlive(): void {
    if (this.phase === 'dead') {
      throw new TransportError(TransportFailure.Dead, 'transport: the connection already failed');
    }
  }

  /** True once the handshake is complete on our side. */
  get isReady(): boolean {
    return this.phase === 'ready';
  }

  /**
   * The peer's static node id (33 bytes): for an initiator from the start, for a responder once
   * act three verified. A copy; `undefined` before it is known.
   */
  get remoteNodeId(): Uint8Array | undefined {
    return this.remote?.slice();
  }

  /**
   * Encrypts one message (a BOLT 1 message) into a frame to write to the socket. Frames must be
   * written in the order they were encrypted: each uses the next nonce. Throws `TransportError`
   * before the handshake completed or after a failure, `APIMisuseError` above 65535 bytes.
   */
  encryptMessage(message: Uint8Array): Uint8Array {
    this.assertAlive();
    if (this.encryptor === undefined) {
      throw new TransportError(
        TransportFailure.NotReady,
        'transport: cannot send before the handshake completes',
      );
    }
    if (!(message instanceof Uint8Array)) {
      throw new APIMisuseError('encryptMessage: expected a Uint8Array');
    }
    return this.encryptor.encrypt(message);
  }

  /** Bytes received but not yet decoded (at most one partial act or frame). */
  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }
}
