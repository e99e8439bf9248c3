/**
 * Minimal Bitcoin block handling for chain sources: the 80-byte header, the block hash, the
 * transaction merkle root, and whole blocks as header plus serialized transactions. Enough to
 * feed `Listen` and `Confirm` and to check that a block commits to the transactions it carries;
 * proof of work and consensus rules stay with the host's chain source.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { readTxLayout } from './tx-layout.js';
import { computeTxid, displayHexToHash, hashToDisplayHex, sha256d } from './txid.js';

/** Length of a serialized block header. */
export const BLOCK_HEADER_LENGTH = 80;

/** The fields of an 80-byte header, in serialization order. */
export interface BlockHeader {
  /** Signed 32-bit version (BIP 9 version bits live here). */
  readonly version: number;
  /** Hash of the previous block, display order hex (all zeros for a genesis block). */
  readonly prevBlockHash: string;
  /** Merkle root of the block's txids, display order hex. */
  readonly merkleRoot: string;
  /** Block time, Unix seconds (u32). */
  readonly time: number;
  /** Compact difficulty target (u32). */
  readonly bits: number;
  readonly nonce: number;
}

/**
 * A whole block: its 80-byte header and its transactions, each fully serialized (with witnesses
 * when it has them), coinbase first. Parse raw block bytes with `decodeBlock`.
 */
export interface Block {
  readonly header: Uint8Array;
  readonly transactions: readonly Uint8Array[];
}

/** Serializes header fields into 80 bytes. Throws `APIMisuseError` for a field out of range. */
export function encodeBlockHeader(header: BlockHeader): Uint8Array {
  checkInt(header.version, -0x80000000, 0x7fffffff, 'version');
  checkInt(header.time, 0, 0xffffffff, 'time');
  checkInt(header.bits, 0, 0xffffffff, 'bits');
  checkInt(header.nonce, 0, 0xffffffff, 'nonce');
  const out = new Uint8Array(BLOCK_HEADER_LENGTH);
  const view = new DataView(out.buffer);
  view.setInt32(0, header.version, true);
  out.set(displayHexToHash(header.prevBlockHash, 'prevBlockHash'), 4);
  out.set(displayHexToHash(header.merkleRoot, 'merkleRoot'), 36);
  view.setUint32(68, header.time, true);
  view.setUint32(72, header.bits, true);
  view.setUint32(76, header.nonce, true);
  return out;
}

/** Reads the fields of an 80-byte header. Throws `DecodeError` for any other length. */
export function decodeBlockHeader(header: Uint8Array): BlockHeader {
  checkHeader(header);
  const view = new DataView(header.buffer, header.byteOffset, BLOCK_HEADER_LENGTH);
  return {
    version: view.getInt32(0, true),
    prevBlockHash: hashToDisplayHex(header.subarray(4, 36)),
    merkleRoot: hashToDisplayHex(header.subarray(36, 68)),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  };
}

/** The block hash (double SHA-256 of the header), display order hex. */
export function blockHash(header: Uint8Array, crypto: CryptoBackend = nobleBackend): string {
  checkHeader(header);
  return hashToDisplayHex(sha256d(header, crypto));
}

/**
 * Merkle root over 32-byte hashes in internal byte order, as Bitcoin builds it: pair up, hash
 * each pair with double SHA-256, and pair an odd last node with itself. That duplication means
 * two different transaction lists can share a root (CVE-2012-2459); a chain source must reject
 * blocks with duplicate transactions, which `checkBlockMerkleRoot` does.
 */
export function merkleRoot(
  hashes: readonly Uint8Array[],
  crypto: CryptoBackend = nobleBackend,
): Uint8Array {
  if (hashes.length === 0) throw new APIMisuseError('merkleRoot: needs at least one hash');
  let level = hashes.map((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== 32) {
      throw new APIMisuseError(`merkleRoot: hash ${i} must be 32 bytes`);
    }
    return h;
  });
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      next.push(sha256d(concatBytes(left, right), crypto));
    }
    level = next;
  }
  return level[0]!.slice();
}

/** The merkle root of serialized transactions (by txid), display order hex. */
export function transactionsMerkleRoot(
  transactions: readonly Uint8Array[],
  crypto: CryptoBackend = nobleBackend,
): string {
  const txids = transactions.map((tx) => displayHexToHash(computeTxid(tx, crypto)));
  return hashToDisplayHex(merkleRoot(txids, crypto));
}

/**
 * True when the header's merkle root matches the transactions and no txid repeats. A chain source
 * that receives blocks from an untrusted peer calls this before handing a block to `Listen`.
 */
export function checkBlockMerkleRoot(block: Block, crypto: CryptoBackend = nobleBackend): boolean {
  if (block.transactions.length === 0) return false;
  const txids = block.transactions.map((tx) => computeTxid(tx, crypto));
  if (new Set(txids).size !== txids.length) return false;
  const root = merkleRoot(
    txids.map((id) => displayHexToHash(id)),
    crypto,
  );
  return hashToDisplayHex(root) === decodeBlockHeader(block.header).merkleRoot;
}

/** Serializes a block: header, CompactSize transaction count, transactions. */
export function encodeBlock(block: Block): Uint8Array {
  checkHeader(block.header);
  return concatBytes(block.header, compactSize(block.transactions.length), ...block.transactions);
}

/**
 * Parses a serialized block into its header and transactions (each a fresh copy). Throws
 * `DecodeError` on a short read, a malformed transaction or trailing bytes. It does not check the
 * merkle root; see `checkBlockMerkleRoot`.
 */
export function decodeBlock(bytes: Uint8Array): Block {
  if (!(bytes instanceof Uint8Array) || bytes.length < BLOCK_HEADER_LENGTH + 1) {
    throw new DecodeError('block: shorter than a header and a transaction count');
  }
  const header = bytes.slice(0, BLOCK_HEADER_LENGTH);
  let pos = BLOCK_HEADER_LENGTH;
  const first = bytes[pos]!;
  let count: number;
  if (first < 0xfd) {
    count = first;
    pos += 1;
  } else {
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    if (pos + 1 + width > bytes.length) throw new DecodeError('block: short transaction count');
    count = 0;
    for (let i = width; i >= 1; i--) count = count * 256 + bytes[pos + i]!;
    const min = width === 2 ? 0xfd : width === 4 ? 0x10000 : 0x100000000;
    if (count < min) throw new DecodeError('block: non-canonical transaction count');
    pos += 1 + width;
  }
  // Every transaction takes at least 60 bytes; a larger count cannot be honest.
  if (count * 60 > bytes.length - pos) {
    throw new DecodeError(`block: transaction count ${count} exceeds the available bytes`);
  }
  const transactions: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const layout = readTxLayout(bytes, pos);
    transactions.push(bytes.slice(pos, layout.end));
    pos = layout.end;
  }
  if (pos !== bytes.length) throw new DecodeError(`block: ${bytes.length - pos} trailing bytes`);
  return { header, transactions };
}

/** Bitcoin CompactSize encoding of a count. */
function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  const out = new Uint8Array(5);
  out[0] = 0xfe;
  new DataView(out.buffer).setUint32(1, n, true);
  return out;
}

function checkHeader(header: unknown): asserts header is Uint8Array {
  if (!(header instanceof Uint8Array) || header.length !== BLOCK_HEADER_LENGTH) {
    const got = header instanceof Uint8Array ? `length=${header.length}` : typeof header;
    throw new DecodeError(`block header: expected ${BLOCK_HEADER_LENGTH} bytes, got ${got}`);
  }
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new APIMisuseError(`block header ${what}: expected an integer in [${min}, ${max}]`);
  }
}
