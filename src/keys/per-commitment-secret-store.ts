/**
 * Compact storage of the counterparty's revealed per-commitment secrets (BOLT 3 "Efficient
 * Per-commitment Secret Storage"). A channel may see up to 2^48 commitments, yet to punish any
 * revoked one we need its secret; since each secret is a hash-tree ancestor of the older ones,
 * 49 slots suffice: slot `b` keeps the latest secret whose index has exactly `b` trailing zero
 * bits, and every older secret derives from one of them.
 *
 * https://github.com/lightning/bolts/blob/master/03-transactions.md#efficient-per-commitment-secret-storage
 *
 * Indices are BOLT 3 indices, counting down from 2^48 - 1 (see `per-commitment-secret.ts` for the
 * mapping to commitment numbers).
 *
 * Persist the store (`serialize`) together with the channel's monitor after every accepted
 * secret: a secret lost on restart is a revoked commitment we can no longer punish.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { equalBytes } from '../util/bytes.js';
import { APIMisuseError, CryptoError, DecodeError } from '../util/errors.js';
import { assertLength } from './checks.js';
import {
  MAX_COMMITMENT_INDEX,
  assertCommitmentIndex,
  deriveSecret,
  indexBit,
} from './per-commitment-secret.js';

/** 48 slots for indices with 0..47 trailing zeros, plus one for index 0. */
const SLOT_COUNT = 49;
const FORMAT_VERSION = 1;
/** One serialized slot: the u64 index (big-endian) then the 32-byte secret. */
const ENTRY_LENGTH = 8 + 32;

interface Slot {
  readonly index: number;
  readonly secret: Uint8Array;
}

/** BOLT 3 `where_to_put_secret`: the number of trailing zero bits of `index`, 48 for 0. */
function slotOf(index: number): number {
  for (let b = 0; b < 48; b++) if (indexBit(index, b) === 1) return b;
  return 48;
}

/** `index` with its lowest `bits` bits cleared: the prefix a slot-`bits` ancestor must share. */
function prefixOf(index: number, bits: number): number {
  const unit = 2 ** bits;
  return Math.floor(index / unit) * unit;
}

/**
 * The counterparty's per-commitment secrets received so far, in O(log n) space. Secrets must be
 * provided in order, starting at index 2^48 - 1 and counting down, as `revoke_and_ack` reveals
 * them (BOLT 2 "Completing the Transition to the Updated State").
 */
export class PerCommitmentSecretStore {
  readonly #crypto: CryptoBackend;
  readonly #slots: (Slot | undefined)[] = new Array<Slot | undefined>(SLOT_COUNT).fill(undefined);
  /** The index of the latest secret accepted; `MAX_COMMITMENT_INDEX + 1` when empty. */
  #minIndex = MAX_COMMITMENT_INDEX + 1;

  constructor(crypto: CryptoBackend = nobleBackend) {
    this.#crypto = crypto;
  }

  /**
   * The index the next `provideSecret` must carry: 2^48 - 1 for an empty store, then one less
   * than the last accepted index. `undefined` once index 0 has been stored.
   */
  get nextIndex(): number | undefined {
    return this.#minIndex === 0 ? undefined : this.#minIndex - 1;
  }

  /** The index of the latest secret stored, or `undefined` when none has been. */
  get latestIndex(): number | undefined {
    return this.#minIndex > MAX_COMMITMENT_INDEX ? undefined : this.#minIndex;
  }

  /**
   * BOLT 3 `insert_secret`: stores the secret of `index` after checking that every secret stored
   * in a lower slot derives from it. Providing the latest stored secret again is accepted (a
   * `revoke_and_ack` may be retransmitted after a reconnection) if it is the same secret.
   *
   * Throws `CryptoError` when the secret is inconsistent with those stored, which means the
   * counterparty cheated or is broken (BOLT 2: the receiver MUST fail the channel); the store is
   * left unchanged. Throws `APIMisuseError` for an index out of order or out of range, and for a
   * secret that is not 32 bytes.
   */
  provideSecret(index: number, secret: Uint8Array): void {
    assertCommitmentIndex(index);
    assertLength(secret, 32, 'secret');
    if (index >= this.#minIndex) {
      const known = this.getSecret(index);
      if (known === undefined || !equalBytes(known, secret)) {
        throw new CryptoError(
          `per-commitment secret for index ${index} differs from the one already stored`,
        );
      }
      return;
    }
    if (index !== this.#minIndex - 1) {
      throw new APIMisuseError(
        `per-commitment secrets must be provided in order: expected index ${this.#minIndex - 1}, got ${index}`,
      );
    }
    const slot = slotOf(index);
    for (let b = 0; b < slot; b++) {
      const old = this.#slots[b];
      if (old === undefined) continue;
      if (!equalBytes(deriveSecret(secret, slot, old.index, this.#crypto), old.secret)) {
        throw new CryptoError(
          `per-commitment secret for index ${index} does not derive the stored secret of index ${old.index}`,
        );
      }
    }
    this.#slots[slot] = { index, secret: secret.slice() };
    this.#minIndex = index;
  }

  /**
   * BOLT 3 `derive_old_secret`: the secret of `index`, derived from the slot that holds its
   * ancestor, or `undefined` when that secret has not been received yet. Throws `APIMisuseError`
   * for an index outside [0, 2^48 - 1].
   */
  getSecret(index: number): Uint8Array | undefined {
    assertCommitmentIndex(index);
    if (index < this.#minIndex) return undefined;
    for (let b = 0; b < SLOT_COUNT; b++) {
      const s = this.#slots[b];
      if (s !== undefined && prefixOf(index, b) === s.index) {
        return deriveSecret(s.secret, b, index, this.#crypto);
      }
    }
    // Unreachable for a consistent store: every index >= #minIndex has an ancestor slot.
    return undefined;
  }

  /**
   * Bytes to persist: a version byte, the number of filled slots, then each filled slot in
   * increasing slot order as a u64 big-endian index and the 32-byte secret.
   */
  serialize(): Uint8Array {
    const filled = this.#slots.filter((s): s is Slot => s !== undefined);
    const out = new Uint8Array(2 + filled.length * ENTRY_LENGTH);
    out[0] = FORMAT_VERSION;
    out[1] = filled.length;
    let off = 2;
    for (const s of filled) {
      const view = new DataView(out.buffer, off, 8);
      view.setUint32(0, Math.floor(s.index / 2 ** 32));
      view.setUint32(4, s.index >>> 0);
      out.set(s.secret, off + 8);
      off += ENTRY_LENGTH;
    }
    return out;
  }

  /**
   * Reads what `serialize` wrote. Checks the layout, that each slot holds exactly the index an
   * in-order sequence of secrets would have put there, and that each secret derives the one in
   * the next lower filled slot; throws `DecodeError` otherwise.
   */
  static deserialize(
    bytes: Uint8Array,
    crypto: CryptoBackend = nobleBackend,
  ): PerCommitmentSecretStore {
    if (!(bytes instanceof Uint8Array) || bytes.length < 2) {
      throw new DecodeError('per-commitment secret store: truncated');
    }
    if (bytes[0] !== FORMAT_VERSION) {
      throw new DecodeError(`per-commitment secret store: unknown version ${bytes[0]}`);
    }
    const count = bytes[1]!;
    if (count > SLOT_COUNT || bytes.length !== 2 + count * ENTRY_LENGTH) {
      throw new DecodeError(
        `per-commitment secret store: ${count} slots do not fit ${bytes.length} bytes`,
      );
    }
    const store = new PerCommitmentSecretStore(crypto);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let previousSlot = -1;
    for (let i = 0; i < count; i++) {
      const off = 2 + i * ENTRY_LENGTH;
      const hi = view.getUint32(off);
      if (hi >= 2 ** 16) {
        throw new DecodeError('per-commitment secret store: index above 2^48 - 1');
      }
      const index = hi * 2 ** 32 + view.getUint32(off + 4);
      const slot = slotOf(index);
      if (slot <= previousSlot) {
        throw new DecodeError('per-commitment secret store: slots out of order');
      }
      previousSlot = slot;
      store.#slots[slot] = { index, secret: bytes.slice(off + 8, off + ENTRY_LENGTH) };
      store.#minIndex = Math.min(store.#minIndex, index);
    }
    store.#checkLayout();
    return store;
  }

  /**
   * After `deserialize`: the slots must be exactly those an in-order insertion produces, and
   * each slot must derive every lower slot whose index lies in its subtree (the pairs that
   * `provideSecret` checked when the higher one was inserted and that are still stored).
   */
  #checkLayout(): void {
    const min = this.#minIndex;
    for (let b = 0; b < SLOT_COUNT; b++) {
      // The latest index >= min with exactly b trailing zeros: the smallest odd multiple of 2^b.
      const unit = 2 ** b;
      let q = Math.ceil(min / unit);
      if (q % 2 === 0) q++;
      const expected = b === 48 ? 0 : q * unit;
      const want = expected >= min && expected <= MAX_COMMITMENT_INDEX;
      const s = this.#slots[b];
      if (want !== (s !== undefined) || (s !== undefined && s.index !== expected)) {
        throw new DecodeError(`per-commitment secret store: slot ${b} is inconsistent`);
      }
    }
    for (let c = 1; c < SLOT_COUNT; c++) {
      const high = this.#slots[c];
      if (high === undefined) continue;
      for (let b = 0; b < c; b++) {
        const low = this.#slots[b];
        if (low === undefined || prefixOf(low.index, c) !== high.index) continue;
        if (!equalBytes(deriveSecret(high.secret, c, low.index, this.#crypto), low.secret)) {
          throw new DecodeError(`per-commitment secret store: slot ${c} does not derive slot ${b}`);
        }
      }
    }
  }
}
