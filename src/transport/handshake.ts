/**
 * The BOLT 8 authenticated key exchange, Noise_XK_secp256k1_ChaChaPoly_SHA256, in both roles
 * ("Authenticated Key Exchange Handshake Specification"). The initiator knows the responder's
 * static key up front; three acts later both sides share a sending and a receiving key, and the
 * responder has learned the initiator's static key.
 *
 * Our static secret never enters this module: the two static-key ECDHs (the responder's in act
 * one, the initiator's in act three) go through the injected `ecdh` callback, so the node key can
 * stay inside a signer. The ephemeral ECDHs use the `CryptoBackend` directly.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { TransportError, TransportFailure } from './errors.js';
import { hkdf2 } from './hkdf.js';

/** Size of act one and act two: version, 33-byte ephemeral key, 16-byte MAC. */
export const ACT_ONE_LENGTH = 50;
export const ACT_TWO_LENGTH = 50;
/** Size of act three: version, encrypted 33-byte static key with its MAC, 16-byte MAC. */
export const ACT_THREE_LENGTH = 66;

/** ASCII bytes of a constant name (the core has no TextEncoder on every platform it targets). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

const PROTOCOL_NAME = ascii('Noise_XK_secp256k1_ChaChaPoly_SHA256');
const PROLOGUE = ascii('lightning');
/** BOLT 8 handshake version; any other value fails the act. */
const VERSION = 0;
const EMPTY = new Uint8Array(0);
const NONCE_ZERO = new Uint8Array(12);
/** Nonce 1 (little-endian in the last 8 bytes), used only for act three's static key. */
const NONCE_ONE = Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0);

/** The keys a completed handshake hands to the message stream. */
export interface SessionKeys {
  readonly sendingKey: Uint8Array;
  readonly receivingKey: Uint8Array;
  /** The final `ck`; each direction starts its key rotation from a copy of it. */
  readonly chainingKey: Uint8Array;
}

/** ECDH with our node key: SHA256(compressed(k_local * publicKey)). */
export type StaticEcdh = (publicKey: Uint8Array) => Uint8Array;

interface ActFailures {
  readonly readFailed: TransportFailure;
  readonly badVersion: TransportFailure;
}

/** `h` and `ck` as BOLT 8 keeps them, and the operations on them shared by both roles. */
class SymmetricState {
  protected h: Uint8Array;
  protected ck: Uint8Array;
  protected readonly crypto: CryptoBackend;

  /** Handshake state initialization, ending with the responder's static key mixed into `h`. */
  protected constructor(crypto: CryptoBackend, responderStatic: Uint8Array) {
    this.crypto = crypto;
    this.h = crypto.sha256(PROTOCOL_NAME);
    this.ck = this.h;
    this.mixHash(PROLOGUE);
    this.mixHash(responderStatic);
  }

  /** h = SHA256(h || data) */
  protected mixHash(data: Uint8Array): void {
    const buf = new Uint8Array(32 + data.length);
    buf.set(this.h, 0);
    buf.set(data, 32);
    this.h = this.crypto.sha256(buf);
  }

  /** ck, temp_k = HKDF(ck, ss); returns temp_k. */
  protected mixKey(sharedSecret: Uint8Array): Uint8Array {
    const [ck, tempK] = hkdf2(this.crypto, this.ck, sharedSecret);
    this.ck = ck;
    return tempK;
  }

  /** Splits the final chaining key into the two transport keys (`HKDF(ck, zero)`). */
  protected split(): [Uint8Array, Uint8Array] {
    return hkdf2(this.crypto, this.ck, EMPTY);
  }

  /** The ephemeral key of act one or two; fails the act unless it is a valid compressed point. */
  protected parseEphemeral(act: Uint8Array, failure: TransportFailure): Uint8Array {
    const key = act.slice(1, 34);
    if (!this.crypto.isValidPublicKey(key)) {
      throw new TransportError(failure, 'transport: the ephemeral key is not a valid point');
    }
    return key;
  }

  protected ecdh(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
    return this.crypto.ecdh(secretKey, publicKey);
  }
}

/** Checks an act's length and version byte, as the reading side of every act must first. */
function checkAct(act: Uint8Array, length: number, failures: ActFailures): void {
  if (act.length !== length) {
    throw new TransportError(
      failures.readFailed,
      `transport: expected an act of ${length} bytes, got length=${act.length}`,
    );
  }
  if (act[0] !== VERSION) {
    throw new TransportError(
      failures.badVersion,
      `transport: expected handshake version ${VERSION}, got ${act[0]}`,
    );
  }
}

/** Runs the host's static ECDH, turning any failure into a `TransportError`. */
function staticEcdh(ecdh: StaticEcdh, publicKey: Uint8Array): Uint8Array {
  let ss: Uint8Array;
  try {
    ss = ecdh(publicKey);
  } catch (e) {
    throw new TransportError(TransportFailure.EcdhFailed, 'transport: the node key ECDH failed', {
      cause: e,
    });
  }
  if (!(ss instanceof Uint8Array) || ss.length !== 32) {
    throw new TransportError(
      TransportFailure.EcdhFailed,
      'transport: the node key ECDH must return 32 bytes',
    );
  }
  return ss;
}

/** The initiator's side: writes act one, reads act two, writes act three. */
export class InitiatorHandshake extends SymmetricState {
  private readonly localStatic: Uint8Array;
  private readonly remoteStatic: Uint8Array;
  private readonly ephemeralSecret: Uint8Array;
  private readonly ephemeralPublic: Uint8Array;
  private readonly staticEcdh: StaticEcdh;

  /**
   * Keys must already be valid (the facade checks them). They are kept, not copied, for the
   * length of the handshake, so the caller must not change them meanwhile.
   */
  constructor(opts: {
    crypto: CryptoBackend;
    localStatic: Uint8Array;
    remoteStatic: Uint8Array;
    ephemeralSecret: Uint8Array;
    ecdh: StaticEcdh;
  }) {
    super(opts.crypto, opts.remoteStatic);
    this.localStatic = opts.localStatic;
    this.remoteStatic = opts.remoteStatic;
    this.ephemeralSecret = opts.ephemeralSecret;
    this.ephemeralPublic = opts.crypto.getPublicKey(opts.ephemeralSecret);
    this.staticEcdh = opts.ecdh;
  }

  /** Act one: `0 || e.pub || c` (50 bytes). */
  writeActOne(): Uint8Array {
    this.mixHash(this.ephemeralPublic);
    // es = ECDH(e.priv, rs)
    const tempK1 = this.mixKey(this.ecdh(this.ephemeralSecret, this.remoteStatic));
    const c = this.crypto.aeadEncrypt(tempK1, NONCE_ZERO, EMPTY, this.h);
    this.mixHash(c);
    const act = new Uint8Array(ACT_ONE_LENGTH);
    act[0] = VERSION;
    act.set(this.ephemeralPublic, 1);
    act.set(c, 34);
    return act;
  }

  /**
   * Reads act two and answers with act three (66 bytes). The handshake is complete on our side
   * once this returns. Throws `TransportError` (ACT2_*) on a failed act.
   */
  readActTwo(act: Uint8Array): { actThree: Uint8Array; keys: SessionKeys } {
    checkAct(act, ACT_TWO_LENGTH, {
      readFailed: TransportFailure.Act2ReadFailed,
      badVersion: TransportFailure.Act2BadVersion,
    });
    const re = this.parseEphemeral(act, TransportFailure.Act2BadPubkey);
    const c = act.subarray(34, 50);
    this.mixHash(re);
    // ee = ECDH(e.priv, re)
    const tempK2 = this.mixKey(this.ecdh(this.ephemeralSecret, re));
    if (this.crypto.aeadDecrypt(tempK2, NONCE_ZERO, c, this.h) === null) {
      throw new TransportError(
        TransportFailure.Act2BadTag,
        'transport: act two MAC does not verify',
      );
    }
    this.mixHash(c);

    // Act three: our static key, encrypted under temp_k2 with nonce 1.
    const encryptedStatic = this.crypto.aeadEncrypt(tempK2, NONCE_ONE, this.localStatic, this.h);
    this.mixHash(encryptedStatic);
    // se = ECDH(s.priv, re), done by the holder of the node key.
    const tempK3 = this.mixKey(staticEcdh(this.staticEcdh, re));
    const t = this.crypto.aeadEncrypt(tempK3, NONCE_ZERO, EMPTY, this.h);
    const [sendingKey, receivingKey] = this.split();
    const actThree = new Uint8Array(ACT_THREE_LENGTH);
    actThree[0] = VERSION;
    actThree.set(encryptedStatic, 1);
    actThree.set(t, 50);
    return { actThree, keys: { sendingKey, receivingKey, chainingKey: this.ck } };
  }
}

/** The responder's side: reads act one, writes act two, reads act three. */
export class ResponderHandshake extends SymmetricState {
  private readonly ephemeralSecret: Uint8Array;
  private readonly ephemeralPublic: Uint8Array;
  private readonly staticEcdh: StaticEcdh;
  private remoteEphemeral: Uint8Array | undefined;
  private tempK2: Uint8Array | undefined;

  constructor(opts: {
    crypto: CryptoBackend;
    localStatic: Uint8Array;
    ephemeralSecret: Uint8Array;
    ecdh: StaticEcdh;
  }) {
    super(opts.crypto, opts.localStatic);
    this.ephemeralSecret = opts.ephemeralSecret;
    this.ephemeralPublic = opts.crypto.getPublicKey(opts.ephemeralSecret);
    this.staticEcdh = opts.ecdh;
  }

  /** Reads act one and answers with act two (50 bytes). Throws `TransportError` (ACT1_*). */
  readActOne(act: Uint8Array): Uint8Array {
    checkAct(act, ACT_ONE_LENGTH, {
      readFailed: TransportFailure.Act1ReadFailed,
      badVersion: TransportFailure.Act1BadVersion,
    });
    const re = this.parseEphemeral(act, TransportFailure.Act1BadPubkey);
    const c = act.subarray(34, 50);
    this.mixHash(re);
    // es = ECDH(s.priv, re), done by the holder of the node key.
    const tempK1 = this.mixKey(staticEcdh(this.staticEcdh, re));
    if (this.crypto.aeadDecrypt(tempK1, NONCE_ZERO, c, this.h) === null) {
      throw new TransportError(
        TransportFailure.Act1BadTag,
        'transport: act one MAC does not verify',
      );
    }
    this.mixHash(c);
    this.remoteEphemeral = re;

    // Act two.
    this.mixHash(this.ephemeralPublic);
    // ee = ECDH(e.priv, re)
    const tempK2 = this.mixKey(this.ecdh(this.ephemeralSecret, re));
    this.tempK2 = tempK2;
    const c2 = this.crypto.aeadEncrypt(tempK2, NONCE_ZERO, EMPTY, this.h);
    this.mixHash(c2);
    const out = new Uint8Array(ACT_TWO_LENGTH);
    out[0] = VERSION;
    out.set(this.ephemeralPublic, 1);
    out.set(c2, 34);
    return out;
  }

  /**
   * Reads act three; returns the initiator's static key (its node id) and the session keys.
   * Throws `TransportError` (ACT3_*). Must follow `readActOne`.
   */
  readActThree(act: Uint8Array): { remoteStatic: Uint8Array; keys: SessionKeys } {
    const tempK2 = this.tempK2;
    if (tempK2 === undefined || this.remoteEphemeral === undefined) {
      throw new TransportError(
        TransportFailure.Act3ReadFailed,
        'transport: act three before act one',
      );
    }
    checkAct(act, ACT_THREE_LENGTH, {
      readFailed: TransportFailure.Act3ReadFailed,
      badVersion: TransportFailure.Act3BadVersion,
    });
    const c = act.subarray(1, 50);
    const t = act.subarray(50, 66);
    const rs = this.crypto.aeadDecrypt(tempK2, NONCE_ONE, c, this.h);
    if (rs === null) {
      throw new TransportError(
        TransportFailure.Act3BadCiphertext,
        'transport: act three static key does not decrypt',
      );
    }
    if (rs.length !== 33 || !this.crypto.isValidPublicKey(rs)) {
      throw new TransportError(
        TransportFailure.Act3BadPubkey,
        'transport: act three static key is not a valid point',
      );
    }
    this.mixHash(c);
    // se = ECDH(e.priv, rs)
    const tempK3 = this.mixKey(this.ecdh(this.ephemeralSecret, rs));
    if (this.crypto.aeadDecrypt(tempK3, NONCE_ZERO, t, this.h) === null) {
      throw new TransportError(
        TransportFailure.Act3BadTag,
        'transport: act three MAC does not verify',
      );
    }
    // The responder's sending key is the initiator's receiving key, and the other way round.
    const [receivingKey, sendingKey] = this.split();
    return { remoteStatic: rs, keys: { sendingKey, receivingKey, chainingKey: this.ck } };
  }
}
