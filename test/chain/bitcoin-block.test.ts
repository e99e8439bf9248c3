// Block headers, blocks, txids and merkle roots. Vectors: the regtest genesis block and block 1
// of BOLT 3 Appendix B (test/vectors/bolt03-funding-tx.json), and every transaction of Bitcoin
// Core's tx_valid.json / tx_invalid.json (test/vectors/bitcoin-core/) cross-checked against
// bitcoinjs-lib.
import { readFileSync } from 'node:fs';
import { crypto as bitcoinCrypto, Transaction } from 'bitcoinjs-lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blockHash,
  checkBlockMerkleRoot,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
  encodeBlockHeader,
  merkleRoot,
  transactionsMerkleRoot,
} from '../../src/chain/block.js';
import { bestBlockFromHeader } from '../../src/chain/best-block.js';
import { readTxLayout } from '../../src/chain/tx-layout.js';
import {
  computeTxid,
  computeWtxid,
  displayHexToHash,
  hashToDisplayHex,
  parseBlockHash,
  parseTxid,
} from '../../src/chain/txid.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { DecodeError, ErrorCode } from '../../src/util/errors.js';

const vectorsDir = new URL('../vectors/', import.meta.url);
const funding = JSON.parse(readFileSync(new URL('bolt03-funding-tx.json', vectorsDir), 'utf8'))
  .vectors[0];
const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

describe('block headers and blocks (BOLT 3 Appendix B test chain)', () => {
  const genesis = decodeBlock(fromHex(funding.chain.block0_genesis));
  const block1 = decodeBlock(fromHex(funding.chain.block1));

  it('decodes the regtest genesis block and computes its well-known hash', () => {
    expect(genesis.transactions).toHaveLength(1);
    expect(blockHash(genesis.header)).toBe(REGTEST_GENESIS_HASH);
    expect(decodeBlockHeader(genesis.header)).toEqual({
      version: 1,
      prevBlockHash: '0'.repeat(64),
      merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1296688602,
      bits: 0x207fffff,
      nonce: 2,
    });
    expect(checkBlockMerkleRoot(genesis)).toBe(true);
  });

  it('block 1 builds on genesis and commits to its coinbase', () => {
    const header = decodeBlockHeader(block1.header);
    expect(header.prevBlockHash).toBe(REGTEST_GENESIS_HASH);
    expect(toHex(block1.transactions[0]!)).toBe(funding.chain.block1_coinbase_tx);
    // The funding transaction spends block 1's coinbase: its txid is the vector's input_txid.
    expect(computeTxid(block1.transactions[0]!)).toBe(funding.input_txid);
    expect(header.merkleRoot).toBe(funding.input_txid);
    expect(transactionsMerkleRoot(block1.transactions)).toBe(funding.input_txid);
    expect(checkBlockMerkleRoot(block1)).toBe(true);
    expect(bestBlockFromHeader(block1.header, 1)).toEqual({
      blockHash: blockHash(block1.header),
      height: 1,
    });
  });

  it('re-encodes headers and blocks byte for byte', () => {
    for (const hex of [funding.chain.block0_genesis, funding.chain.block1]) {
      const block = decodeBlock(fromHex(hex));
      expect(toHex(encodeBlock(block))).toBe(hex);
      expect(toHex(encodeBlockHeader(decodeBlockHeader(block.header)))).toBe(hex.slice(0, 160));
    }
  });

  it('computes the funding txid of Appendix B', () => {
    expect(computeTxid(fromHex(funding.funding_tx))).toBe(funding.funding_txid);
  });

  it('rejects a wrong merkle root and duplicated transactions', () => {
    const tampered = { header: block1.header, transactions: [genesis.transactions[0]!] };
    expect(checkBlockMerkleRoot(tampered)).toBe(false);
    const coinbase = block1.transactions[0]!;
    // CVE-2012-2459: [a, b, b] and [a, b] share a root; duplicates must be refused.
    const pair = [coinbase, genesis.transactions[0]!];
    const root = transactionsMerkleRoot(pair);
    const header = encodeBlockHeader({ ...decodeBlockHeader(block1.header), merkleRoot: root });
    expect(checkBlockMerkleRoot({ header, transactions: pair })).toBe(true);
    expect(transactionsMerkleRoot([...pair, pair[1]!])).not.toBe(root);
    const triple = [coinbase, coinbase, genesis.transactions[0]!, genesis.transactions[0]!];
    const tripleRoot = transactionsMerkleRoot(triple.slice(0, 3));
    expect(transactionsMerkleRoot(triple)).toBe(tripleRoot);
    const h3 = encodeBlockHeader({ ...decodeBlockHeader(header), merkleRoot: tripleRoot });
    expect(checkBlockMerkleRoot({ header: h3, transactions: triple })).toBe(false);
    expect(checkBlockMerkleRoot({ header: h3, transactions: [] })).toBe(false);
  });

  it('rejects malformed headers and blocks with DecodeError', () => {
    expect(() => decodeBlockHeader(new Uint8Array(79))).toThrow(DecodeError);
    expect(() => blockHash(new Uint8Array(81))).toThrow(DecodeError);
    expect(() => blockHash('00' as any)).toThrow(DecodeError);
    const raw = fromHex(funding.chain.block1);
    expect(() => decodeBlock(raw.subarray(0, raw.length - 1))).toThrow(DecodeError);
    const trailing = new Uint8Array(raw.length + 1);
    trailing.set(raw);
    expect(() => decodeBlock(trailing)).toThrow(DecodeError);
    // A transaction count far beyond the bytes available.
    const huge = raw.slice();
    huge[80] = 0xfe;
    expect(() => decodeBlock(huge)).toThrow(DecodeError);
    expect(() => decodeBlock(new Uint8Array(10))).toThrow(DecodeError);
  });

  it('rejects header fields out of range with APIMisuse', () => {
    const h = decodeBlockHeader(block1.header);
    for (const bad of [
      { ...h, time: -1 },
      { ...h, nonce: 2 ** 32 },
      { ...h, bits: 1.5 },
      { ...h, version: 2 ** 31 },
    ]) {
      expect(() => encodeBlockHeader(bad)).toThrow(
        expect.objectContaining({ code: ErrorCode.APIMisuse }),
      );
    }
    expect(() => encodeBlockHeader({ ...h, merkleRoot: 'AB'.repeat(32) })).toThrow(DecodeError);
    // Negative versions (top bit set) round-trip.
    const neg = encodeBlockHeader({ ...h, version: -2 });
    expect(decodeBlockHeader(neg).version).toBe(-2);
  });

  it('computes merkle roots over odd and even counts as Bitcoin does', () => {
    const leaves = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
    const one = merkleRoot(leaves.slice(0, 1));
    expect(one).toEqual(leaves[0]);
    expect(one).not.toBe(leaves[0]);
    expect(toHex(merkleRoot(leaves))).toBe(toHex(merkleRoot([...leaves, leaves[2]!])));
    expect(() => merkleRoot([])).toThrow(expect.objectContaining({ code: ErrorCode.APIMisuse }));
    expect(() => merkleRoot([new Uint8Array(31)])).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse }),
    );
  });
});

describe('txids and display order', () => {
  it('reverses between internal and display order', () => {
    const internal = new Uint8Array(32).map((_, i) => i);
    const hex = hashToDisplayHex(internal);
    expect(hex.startsWith('1f1e1d')).toBe(true);
    expect(displayHexToHash(hex)).toEqual(internal);
    expect(parseTxid(hex)).toBe(hex);
    expect(parseBlockHash(hex)).toBe(hex);
  });

  it('accepts only 64 lowercase hex characters', () => {
    for (const bad of ['AB'.repeat(32), 'ab'.repeat(31), 'zz'.repeat(32), '', 5, null]) {
      expect(() => parseTxid(bad)).toThrow(DecodeError);
      expect(() => displayHexToHash(bad as string)).toThrow(DecodeError);
    }
    expect(() => hashToDisplayHex(new Uint8Array(31))).toThrow(DecodeError);
  });

  const core = [
    ...JSON.parse(readFileSync(new URL('bitcoin-core/tx_valid.json', vectorsDir), 'utf8')),
    ...JSON.parse(readFileSync(new URL('bitcoin-core/tx_invalid.json', vectorsDir), 'utf8')),
  ].filter((row: unknown[]) => row.length > 1 && typeof row[1] === 'string') as [unknown, string][];

  it(`parses every Bitcoin Core test transaction and agrees with bitcoinjs-lib on ids (${core.length})`, () => {
    let parsed = 0;
    for (const [, hex] of core) {
      const bytes = fromHex(hex);
      let reference: Transaction;
      try {
        reference = Transaction.fromBuffer(bytes);
      } catch {
        // A few invalid vectors are not even well-formed; ours must then refuse them too.
        expect(() => computeTxid(bytes), hex).toThrow(DecodeError);
        continue;
      }
      const layout = readTxLayout(bytes);
      expect(layout.end).toBe(bytes.length);
      expect(layout.inputCount).toBe(reference.ins.length);
      expect(layout.outputCount).toBe(reference.outs.length);
      expect(computeTxid(bytes)).toBe(reference.getId());
      // bitcoinjs-lib reports a coinbase wtxid as zeros (its BIP 141 commitment value).
      const wtxid = hashToDisplayHex(bitcoinCrypto.hash256(reference.toBuffer()));
      expect(computeWtxid(bytes)).toBe(wtxid);
      parsed++;
    }
    expect(parsed).toBeGreaterThan(200);
  });

  it('rejects trailing bytes, truncation and bad segwit flags', () => {
    const tx = fromHex(funding.funding_tx);
    expect(() => computeTxid(Uint8Array.of(...tx, 0))).toThrow(DecodeError);
    expect(() => computeTxid(tx.subarray(0, tx.length - 1))).toThrow(DecodeError);
    const badFlag = Uint8Array.of(2, 0, 0, 0, 0, 2, ...tx.subarray(4));
    expect(() => computeTxid(badFlag)).toThrow(DecodeError);
    expect(() => computeTxid('00' as any)).toThrow(DecodeError);
  });

  it('never throws anything but DecodeError on arbitrary bytes (fuzz, fixed seed)', () => {
    const tx = fromHex(funding.funding_tx);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          // Mutations of a real transaction reach deeper than random bytes.
          fc
            .tuple(fc.nat(tx.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(tx.length))
            .map(([at, value, cut]) => {
              const m = tx.slice(0, Math.max(cut, 1));
              if (at < m.length) m[at] = value;
              return m;
            }),
        ),
        (bytes) => {
          try {
            computeTxid(bytes);
            decodeBlock(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(DecodeError);
          }
        },
      ),
      { seed: 0x5eed, numRuns: 400 },
    );
  });
});
