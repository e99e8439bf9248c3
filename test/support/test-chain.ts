/**
 * An in-memory regtest chain for functional tests: real regtest genesis, mined blocks with
 * deterministic timestamps and real proof of work, a mempool that checks every transaction with
 * the script interpreter (`script-interpreter.ts`), reorganizations of any depth, and listeners
 * that feed `Listen` and `Confirm` implementations. `chain.wallet` (test-wallet.ts) holds the
 * coinbase coins and builds signed funding transactions.
 *
 * The acceptance rules (and what they leave out) are in test-chain-mempool.ts.
 *
 * @example
 *   const chain = new TestChain();
 *   chain.mineBlocks(101); // matures the first coinbase
 *   const { tx, outpoint } = chain.wallet.fundAddress(fundingScript, 1_000_000n);
 *   chain.mineBlocks(6);
 */
import { Transaction } from 'bitcoinjs-lib';
import type { BestBlock } from '../../src/chain/best-block.js';
import type { Block } from '../../src/chain/block.js';
import {
  blockHash,
  decodeBlock,
  decodeBlockHeader,
  encodeBlockHeader,
  merkleRoot,
} from '../../src/chain/block.js';
import type { BroadcasterInterface } from '../../src/chain/broadcaster.js';
import type { Confirm } from '../../src/chain/confirm.js';
import type { Listen } from '../../src/chain/listen.js';
import type { OutPoint } from '../../src/chain/outpoint.js';
import { compareOutPoints, formatOutPoint, parseOutPoint } from '../../src/chain/outpoint.js';
import { displayHexToHash, hashToDisplayHex, sha256d } from '../../src/chain/txid.js';
import { concatBytes, equalBytes, fromHex } from '../../src/util/bytes.js';
import { APIMisuseError } from '../../src/util/errors.js';
import { StandardFlags } from './script-interpreter.js';
import type { ChainState, ChainTx, Coin, CoinEntry, SubmitResult } from './test-chain-mempool.js';
import {
  checkBlockTxs,
  Mempool,
  parseTx,
  tryParseTx,
  TxRejectedError,
} from './test-chain-mempool.js';
import { TestWallet } from './test-wallet.js';

export { COINBASE_MATURITY, MempoolRejectReason, TxRejectedError } from './test-chain-mempool.js';
export type { Coin, Rejection, SubmitResult } from './test-chain-mempool.js';

/** The regtest genesis block (Bitcoin Core chainparams), as in BOLT 3 Appendix B. */
export const REGTEST_GENESIS_BLOCK_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a' +
  'c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000010100000001000000' +
  '0000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468' +
  '652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f662073' +
  '65636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe' +
  '5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c' +
  '384df7ba0b8d578a4c702b6bf11d5fac00000000';
export const REGTEST_GENESIS_HASH =
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

const REGTEST_BITS = 0x207fffff;
const REGTEST_TARGET = 0x7fffffn << 232n;
const HALVING_INTERVAL = 150;
const INITIAL_SUBSIDY_SAT = 5_000_000_000n;
/** 2025-01-01T00:00:00Z: block 1's default time. */
const DEFAULT_START_TIME = 1_735_689_600;

export interface TestChainOptions {
  /** Time of block 1, Unix seconds. */
  readonly startTime?: number;
  /** Seconds between consecutive blocks (600). */
  readonly blockIntervalSec?: number;
  /** Secret key of `chain.wallet`; a fixed test key unless given. */
  readonly walletSecretKey?: Uint8Array;
  /** Where coinbase rewards go; the wallet's P2WPKH script unless given. */
  readonly coinbaseScriptPubKey?: Uint8Array;
  /** Script flags for mempool checks; Core's standard flags unless given. */
  readonly scriptFlags?: number;
}

/** A `BroadcasterInterface` double that records what it was given and submits it. */
export interface TestBroadcaster extends BroadcasterInterface {
  readonly broadcasts: Uint8Array[];
  readonly results: SubmitResult[];
}

interface StoredBlock {
  readonly hash: string;
  readonly header: Uint8Array;
  readonly height: number;
  readonly time: number;
  readonly txs: readonly ChainTx[];
  /** Per transaction, the coins it spent, to restore on disconnect. */
  readonly undo: readonly (readonly [string, CoinEntry][])[];
}

export class TestChain {
  readonly wallet: TestWallet;
  readonly #interval: number;
  readonly #flags: number;
  readonly #coinbaseScript: Uint8Array;
  readonly #blocks: StoredBlock[] = [];
  readonly #utxos = new Map<string, CoinEntry>();
  readonly #spentInChain = new Map<string, string>();
  readonly #txIndex = new Map<string, { height: number; index: number }>();
  readonly #mempool: Mempool;
  readonly #connected: ((block: Block, height: number) => void)[] = [];
  readonly #disconnected: ((header: Uint8Array, height: number) => void)[] = [];
  #lastTime: number;
  #extraNonce = 0;

  constructor(options: TestChainOptions = {}) {
    this.#interval = options.blockIntervalSec ?? 600;
    this.#lastTime = (options.startTime ?? DEFAULT_START_TIME) - this.#interval;
    this.#flags = options.scriptFlags ?? StandardFlags;
    this.#mempool = new Mempool(this.#state());
    this.wallet = new TestWallet(this, options.walletSecretKey);
    this.#coinbaseScript = options.coinbaseScriptPubKey ?? this.wallet.scriptPubKey;
    // The genesis coinbase is unspendable by consensus: indexed, but its output is no coin.
    const genesis = decodeBlock(fromHex(REGTEST_GENESIS_BLOCK_HEX));
    const coinbase = parseTx(genesis.transactions[0]!);
    this.#txIndex.set(coinbase.txid, { height: 0, index: 0 });
    this.#blocks.push({
      hash: REGTEST_GENESIS_HASH,
      header: genesis.header,
      height: 0,
      time: decodeBlockHeader(genesis.header).time,
      txs: [coinbase],
      undo: [[]],
    });
  }

  // ---- chain queries ----

  get height(): number {
    return this.#blocks.length - 1;
  }

  get tip(): BestBlock {
    return { blockHash: this.#tipBlock().hash, height: this.height };
  }

  getBlockHash(height: number): string | undefined {
    return this.#blocks[height]?.hash;
  }

  getHeader(height: number): Uint8Array | undefined {
    return this.#blocks[height]?.header.slice();
  }

  /** The block at a height or with a display-order hash, in the main chain. */
  getBlock(heightOrHash: number | string): Block | undefined {
    const b =
      typeof heightOrHash === 'number'
        ? this.#blocks[heightOrHash]
        : this.#blocks.find((x) => x.hash === heightOrHash);
    return b === undefined ? undefined : toBlock(b);
  }

  /** BIP 113 median time past of the block at `height` (the tip by default). */
  medianTimePast(height = this.height): number {
    const times = this.#blocks.slice(Math.max(0, height - 10), height + 1).map((b) => b.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }

  /** A confirmed or mempool transaction. */
  getTx(txid: string): Uint8Array | undefined {
    const inPool = this.#mempool.get(txid);
    if (inPool !== undefined) return inPool.bytes.slice();
    const at = this.#txIndex.get(txid);
    return at === undefined ? undefined : this.#blocks[at.height]!.txs[at.index]!.bytes.slice();
  }

  /** Where a transaction is confirmed, or undefined if it is not in the chain. */
  getTxConfirmation(
    txid: string,
  ): { readonly height: number; readonly blockHash: string; readonly index: number } | undefined {
    const at = this.#txIndex.get(txid);
    return at === undefined ? undefined : { ...at, blockHash: this.#blocks[at.height]!.hash };
  }

  /** 0 in the mempool, 1 in the tip block, and so on; undefined when unknown. */
  getConfirmations(txid: string): number | undefined {
    if (this.#mempool.has(txid)) return 0;
    const at = this.#txIndex.get(txid);
    return at === undefined ? undefined : this.height - at.height + 1;
  }

  inMempool(txid: string): boolean {
    return this.#mempool.has(txid);
  }

  /** Mempool txids, parents before children. */
  mempoolTxids(): string[] {
    return this.#mempool.txs().map((t) => t.txid);
  }

  /** The unspent output, counting mempool spends and outputs unless `includeMempool` is false. */
  getUtxo(outpoint: OutPoint, includeMempool = true): Coin | undefined {
    const key = formatOutPoint(outpoint);
    const entry = includeMempool ? this.#mempool.view().coin(key) : this.#utxos.get(key);
    return entry === undefined ? undefined : toCoin(key, entry);
  }

  /** The txid spending `outpoint` in the chain or the mempool, if any. */
  getSpendingTxid(outpoint: OutPoint): string | undefined {
    return this.#mempool.view().spender(formatOutPoint(outpoint))?.txid;
  }

  isSpent(outpoint: OutPoint): boolean {
    return this.getSpendingTxid(outpoint) !== undefined;
  }

  /** Spendable outputs paying `scriptPubKey`: confirmed ones oldest first, then mempool ones. */
  listUnspent(scriptPubKey: Uint8Array): Coin[] {
    const view = this.#mempool.view();
    const confirmed = [...this.#utxos.keys()]
      .map((key) => [key, view.coin(key)] as const)
      .filter(([, c]) => c !== undefined && equalBytes(scriptPubKey, c.scriptPubKey))
      .map(([key, c]) => toCoin(key, c!))
      .sort((a, b) => a.height! - b.height! || compareOutPoints(a.outpoint, b.outpoint));
    const unconfirmed = this.#mempool.txs().flatMap((t) =>
      t.tx.outs.flatMap((o, index) => {
        const key = `${t.txid}:${index}`;
        const c = view.coin(key);
        return c !== undefined && equalBytes(scriptPubKey, o.script) ? [toCoin(key, c)] : [];
      }),
    );
    return [...confirmed, ...unconfirmed];
  }

  // ---- mempool ----

  /** Offers a transaction to the mempool; rejections are results, not exceptions. */
  submit(tx: Uint8Array): SubmitResult {
    const parsed = tryParseTx(tx);
    return 'accepted' in parsed ? parsed : this.#mempool.submit(parsed);
  }

  /** `submit`, throwing `TxRejectedError` on rejection; returns the txid. */
  broadcast(tx: Uint8Array): string {
    const result = this.submit(tx);
    if (!result.accepted) throw new TxRejectedError(result);
    return result.txid;
  }

  /** A broadcaster double: records each transaction and submits it, keeping the results. */
  createBroadcaster(): TestBroadcaster {
    const broadcasts: Uint8Array[] = [];
    const results: SubmitResult[] = [];
    return {
      broadcasts,
      results,
      broadcastTransactions: (txs) => {
        for (const tx of txs) {
          broadcasts.push(tx.slice());
          results.push(this.submit(tx));
        }
      },
    };
  }

  // ---- mining and reorganizations ----

  /** Moves the clock: the next block is `seconds` later than it would have been. */
  advanceTime(seconds: number): void {
    this.#lastTime += seconds;
  }

  /**
   * Mines `n` blocks and returns their hashes. `txs` are submitted first (a rejection throws
   * `TxRejectedError`; one already in the mempool is fine); the first block then confirms the
   * whole mempool. With `includeMempool: false` the first block holds exactly `txs`, checked
   * against the chain alone, and the mempool is left as it is (minus conflicts).
   */
  mineBlocks(
    n: number,
    txs: readonly Uint8Array[] = [],
    options: { readonly includeMempool?: boolean } = {},
  ): string[] {
    if (!Number.isInteger(n) || n < 0) throw new APIMisuseError('mineBlocks: n must be >= 0');
    if (n === 0 && txs.length > 0) throw new APIMisuseError('mineBlocks: txs need a block');
    let first: ChainTx[];
    if (options.includeMempool ?? true) {
      for (const tx of txs) {
        const r = this.submit(tx);
        if (!r.accepted && r.reason !== 'AlreadyInMempool') throw new TxRejectedError(r);
      }
      first = this.#mempool.txs();
    } else {
      first = checkBlockTxs(txs, this.#state());
    }
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) hashes.push(this.#connect(i === 0 ? first : []).hash);
    return hashes;
  }

  /**
   * Disconnects the top `depth` blocks, returns their transactions to the mempool where still
   * valid (with the old mempool after them), then connects replacement blocks: `depth + 1`
   * empty ones by default (a reorganization needs more work), `k` empty ones for a number, or
   * one block per transaction list, each checked against the chain alone. Returns the new
   * blocks' hashes. An invalid replacement transaction throws `TxRejectedError`, leaving the
   * chain at the fork point plus the replacement blocks connected before it.
   */
  reorg(depth: number, replacement?: number | readonly (readonly Uint8Array[])[]): string[] {
    if (!Number.isInteger(depth) || depth < 1 || depth > this.height) {
      throw new APIMisuseError(`reorg: depth must be in [1, ${this.height}]`);
    }
    const oldMempool = this.#mempool.drain();
    const removed: StoredBlock[] = [];
    for (let i = 0; i < depth; i++) removed.unshift(this.#disconnectTip());
    for (const t of [...removed.flatMap((b) => b.txs.slice(1)), ...oldMempool]) {
      this.#mempool.submit(t);
    }
    const blocks = replacement ?? depth + 1;
    if (typeof blocks === 'number') return this.mineBlocks(blocks, [], { includeMempool: false });
    return blocks.map((txs) => this.mineBlocks(1, txs, { includeMempool: false })[0]!);
  }

  // ---- listeners ----

  /** Called after each block is connected, with the block and its height. Returns unsubscribe. */
  onBlockConnected(listener: (block: Block, height: number) => void): () => void {
    return subscribe(this.#connected, listener);
  }

  /** Called after each tip block is disconnected, with its header and height. */
  onBlockDisconnected(listener: (header: Uint8Array, height: number) => void): () => void {
    return subscribe(this.#disconnected, listener);
  }

  /** Feeds a `Listen`, first replaying blocks from `replayFrom` (inclusive) to the tip. */
  attachListen(listen: Listen, replayFrom = this.height + 1): () => void {
    for (let h = replayFrom; h <= this.height; h++) listen.blockConnected(this.getBlock(h)!, h);
    const offConnect = this.onBlockConnected((b, h) => {
      listen.blockConnected(b, h);
    });
    const offDisconnect = this.onBlockDisconnected((header, h) => {
      listen.blockDisconnected(header, h);
    });
    return () => {
      offConnect();
      offDisconnect();
    };
  }

  /**
   * Feeds a `Confirm` as an Electrum-style source would: every transaction of each new block,
   * then the new tip; on a disconnection, `transactionUnconfirmed` for each relevant txid from
   * that block, then the new tip. Replays from `replayFrom` first.
   */
  attachConfirm(confirm: Confirm, replayFrom = this.height + 1): () => void {
    const connect = (block: Block, height: number): void => {
      confirm.transactionsConfirmed(
        block.header,
        block.transactions.map((tx, i) => [i, tx] as const),
        height,
      );
      confirm.bestBlockUpdated(block.header, height);
    };
    for (let h = replayFrom; h <= this.height; h++) connect(this.getBlock(h)!, h);
    const offConnect = this.onBlockConnected(connect);
    const offDisconnect = this.onBlockDisconnected((header, height) => {
      const hash = blockHash(header);
      for (const r of confirm.getRelevantTxids()) {
        if (r.height >= height || r.blockHash === hash) confirm.transactionUnconfirmed(r.txid);
      }
      confirm.bestBlockUpdated(this.getHeader(height - 1)!, height - 1);
    });
    return () => {
      offConnect();
      offDisconnect();
    };
  }

  // ---- internals ----

  #tipBlock(): StoredBlock {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  /** The chain as the mempool rules see it. */
  #state(): ChainState {
    const tipHeight = (): number => this.height;
    return {
      get height() {
        return tipHeight();
      },
      scriptFlags: this.#flags,
      medianTimePast: (height) => this.medianTimePast(height),
      utxo: (key) => this.#utxos.get(key),
      spentInChain: (key) => this.#spentInChain.get(key),
      isConfirmed: (txid) => this.#txIndex.has(txid),
    };
  }

  #connect(txs: readonly ChainTx[]): StoredBlock {
    const height = this.height + 1;
    const created = new Map<string, bigint>();
    let feesSat = 0n;
    for (const t of txs) {
      for (const key of t.spends) feesSat += this.#utxos.get(key)?.valueSat ?? created.get(key)!;
      t.tx.outs.forEach((o, index) => {
        created.set(`${t.txid}:${index}`, o.value);
        feesSat -= o.value;
      });
    }
    const subsidySat = INITIAL_SUBSIDY_SAT >> BigInt(Math.floor(height / HALVING_INTERVAL));
    const coinbase = this.#buildCoinbase(height, subsidySat + feesSat, txs);
    const all = [coinbase, ...txs];
    this.#lastTime += this.#interval;
    const header = mine({
      version: 0x20000000,
      prevBlockHash: this.#tipBlock().hash,
      merkleRoot: hashToDisplayHex(merkleRoot(all.map((t) => displayHexToHash(t.txid)))),
      time: this.#lastTime,
      bits: REGTEST_BITS,
      nonce: 0,
    });
    const undo = all.map((t, index) => {
      const spentCoins = t.spends.map((key) => {
        const coin = this.#utxos.get(key)!;
        this.#utxos.delete(key);
        this.#spentInChain.set(key, t.txid);
        return [key, coin] as [string, CoinEntry];
      });
      t.tx.outs.forEach((o, i) => {
        this.#utxos.set(`${t.txid}:${i}`, {
          valueSat: o.value,
          scriptPubKey: o.script,
          height,
          coinbase: index === 0,
        });
      });
      this.#txIndex.set(t.txid, { height, index });
      return spentCoins;
    });
    const block: StoredBlock = {
      hash: blockHash(header),
      header,
      height,
      time: this.#lastTime,
      txs: all,
      undo,
    };
    this.#blocks.push(block);
    this.#mempool.removeForBlock(txs);
    const view = toBlock(block);
    for (const l of [...this.#connected]) l(view, height);
    return block;
  }

  #disconnectTip(): StoredBlock {
    const block = this.#blocks.pop()!;
    for (let i = block.txs.length - 1; i >= 0; i--) {
      const t = block.txs[i]!;
      t.tx.outs.forEach((_, index) => this.#utxos.delete(`${t.txid}:${index}`));
      this.#txIndex.delete(t.txid);
      for (const [key, coin] of block.undo[i]!) {
        this.#utxos.set(key, coin);
        this.#spentInChain.delete(key);
      }
    }
    for (const l of [...this.#disconnected]) l(block.header.slice(), block.height);
    return block;
  }

  /** BIP 34 height, an extra nonce so every block is unique, BIP 141 commitment if needed. */
  #buildCoinbase(height: number, valueSat: bigint, txs: readonly ChainTx[]): ChainTx {
    const cb = new Transaction();
    cb.version = 2;
    const scriptSig = concatBytes(scriptNumPush(height), scriptNumPush(++this.#extraNonce));
    cb.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, scriptSig);
    cb.addOutput(this.#coinbaseScript, valueSat);
    if (txs.some((t) => t.tx.hasWitnesses())) {
      const reserved = new Uint8Array(32);
      const wtxids = [reserved, ...txs.map((t) => t.tx.getHash(true))];
      const commitment = sha256d(concatBytes(merkleRoot(wtxids), reserved));
      cb.addOutput(concatBytes(Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed), commitment), 0n);
      cb.setWitness(0, [reserved]);
    }
    return parseTx(cb.toBuffer());
  }
}

function toBlock(b: StoredBlock): Block {
  return { header: b.header.slice(), transactions: b.txs.map((t) => t.bytes.slice()) };
}

function toCoin(key: string, entry: CoinEntry): Coin {
  return {
    outpoint: parseOutPoint(key),
    valueSat: entry.valueSat,
    scriptPubKey: entry.scriptPubKey.slice(),
    height: entry.height,
    coinbase: entry.coinbase,
  };
}

function subscribe<T>(list: T[], listener: T): () => void {
  list.push(listener);
  return () => {
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Grinds the nonce until the header meets the regtest target (about two tries). */
function mine(fields: Parameters<typeof encodeBlockHeader>[0]): Uint8Array {
  for (let nonce = 0; ; nonce++) {
    const header = encodeBlockHeader({ ...fields, nonce });
    if (BigInt(`0x${blockHash(header)}`) <= REGTEST_TARGET) return header;
  }
}

/** A minimal script push of a non-negative number (OP_1..OP_16, or a little-endian push). */
function scriptNumPush(n: number): Uint8Array {
  if (n >= 1 && n <= 16) return Uint8Array.of(0x50 + n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.push(v % 256);
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}
