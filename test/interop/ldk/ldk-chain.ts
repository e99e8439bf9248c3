/**
 * One in-process chain shared by LDK test nodes and, if a test wants, by boltkit: the test
 * support `TestChain` (real regtest genesis, mined blocks that contain transactions, a mempool
 * that runs the script interpreter on every transaction, reorganizations) plus the feeding of
 * LDK's `ChannelManager` and `ChainMonitor` on every connected or disconnected block.
 *
 * Every transaction an attached LDK node broadcasts is submitted to the mempool, so a funding,
 * closing, commitment or sweep transaction LDK produces is checked by the interpreter before it
 * can be mined. Boltkit attaches its `Listen`/`Confirm` through the same `testChain`
 * (`attachListen`, `attachConfirm`) and broadcasts through `broadcasterFor(name)`, so both
 * implementations see one chain and one record of broadcasts.
 *
 * Block times start about `blockIntervalSec × matureBlocks` seconds before the wall clock and
 * step by `blockIntervalSec`: LDK stamps invoices and checks inbound payment expiry against the
 * newest header time it saw, so headers near real time keep invoices valid for any decoder that
 * looks at the clock.
 */
import { hex } from '@scure/base';
import { Transaction } from 'bitcoinjs-lib';
import type { ChainMonitor, ChannelManager, TwoTuple_usizeTransactionZ } from 'lightningdevkit';
import type { Block } from '../../../src/chain/block.js';
import type { BroadcasterInterface } from '../../../src/chain/broadcaster.js';
import { blockHash, decodeBlockHeader } from '../../../src/chain/block.js';
import { computeTxid, displayHexToHash, hashToDisplayHex } from '../../../src/chain/txid.js';
import { StandardFlags, verifyTransaction } from '../../support/script-interpreter.js';
import type { Prevout, VerifyTxResult } from '../../support/script-interpreter.js';
import { COINBASE_MATURITY, TestChain } from '../../support/test-chain.js';
import type { SubmitResult } from '../../support/test-chain.js';
import type { Ldk } from './load.js';

/**
 * How blocks reach LDK: `listen` calls `Listen.filtered_block_connected` /
 * `block_disconnected` (a full-block source such as bitcoind); `confirm` calls
 * `Confirm.transactions_confirmed` and `best_block_updated`, and on a disconnection
 * `transaction_unconfirmed` for what LDK reports relevant (an Electrum or Esplora source).
 */
export type LdkChainFeedStyle = 'listen' | 'confirm';

export interface LdkChainOptions {
  /** Seconds between blocks; 60 by default. */
  readonly blockIntervalSec?: number;
  /**
   * Blocks mined at creation so the chain wallet's first coinbase outputs can be spent
   * (funding needs them): 101 by default, 0 for a bare chain.
   */
  readonly matureBlocks?: number;
  /** Time of block 1, Unix seconds; chosen from the wall clock by default (see above). */
  readonly startTime?: number;
}

/** The parts of an LDK node the chain feeds. */
export interface LdkChainTarget {
  readonly ldk: Ldk;
  readonly channelManager: ChannelManager;
  readonly chainMonitor: ChainMonitor;
  readonly feedStyle: LdkChainFeedStyle;
  /** Called after a batch of blocks was fed: the node lets LDK send and handles events. */
  afterBlocks(): void;
}

/** A transaction an LDK node asked to broadcast, and what the mempool said. */
export interface LdkBroadcast {
  readonly node: string;
  readonly txid: string;
  readonly tx: Uint8Array;
  readonly result: SubmitResult;
  /**
   * For a transaction refused only because another one already spends an input (both sides'
   * commitments after a force close, say): the interpreter's verdict on its scripts alone,
   * against the outputs it spends. `ok` means it would have been valid without the race.
   */
  readonly conflictScripts?: VerifyTxResult;
}

/** The tip as LDK's `BestBlock` wants it: hash in internal byte order. */
export interface LdkBestBlock {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly timeSecs: number;
}

/** Rejections that only mean "seen it already": every node of a channel broadcasts a close. */
const HARMLESS_REJECTIONS: ReadonlySet<string> = new Set(['AlreadyInMempool', 'AlreadyConfirmed']);
/** Rejections for an input someone else spent first: fine when the scripts themselves verify. */
const CONFLICT_REJECTIONS: ReadonlySet<string> = new Set(['MempoolConflict', 'InputSpent']);

export class LdkChain {
  /** The underlying chain; attach boltkit's `Listen`/`Confirm` and broadcaster here. */
  readonly testChain: TestChain;
  /** Every broadcast of every attached node, in order. */
  readonly broadcasts: LdkBroadcast[] = [];
  private readonly targets = new Set<LdkChainTarget>();

  constructor(options: LdkChainOptions = {}) {
    const interval = options.blockIntervalSec ?? 60;
    const mature = options.matureBlocks ?? COINBASE_MATURITY + 1;
    const startTime = options.startTime ?? Math.floor(Date.now() / 1000) - interval * (mature + 1);
    this.testChain = new TestChain({ startTime, blockIntervalSec: interval });
    this.testChain.onBlockConnected((block, height) => {
      for (const t of this.targets) feedConnected(t, block, height);
    });
    this.testChain.onBlockDisconnected((header, height) => {
      const previous = this.testChain.getHeader(height - 1)!;
      for (const t of this.targets) feedDisconnected(t, header, height, previous);
    });
    if (mature > 0) this.testChain.mineBlocks(mature);
  }

  get height(): number {
    return this.testChain.height;
  }

  /** The tip in the shape LDK's `BestBlock` and `ChannelManager` constructor take. */
  bestBlock(): LdkBestBlock {
    const header = this.testChain.getHeader(this.height)!;
    return {
      hash: displayHexToHash(blockHash(header)),
      height: this.height,
      timeSecs: decodeBlockHeader(header).time,
    };
  }

  /**
   * Starts feeding a node from the next block on. The node must already be at the current tip
   * (it was built on `bestBlock()`). Returns a function that stops the feeding.
   */
  attach(target: LdkChainTarget): () => void {
    this.targets.add(target);
    return () => {
      this.targets.delete(target);
    };
  }

  /**
   * Records a node's broadcast and offers it to the mempool. Never throws: LDK calls this from
   * inside WASM. A rejection stays in `broadcasts` for the test to look at.
   */
  submitBroadcast(node: string, tx: Uint8Array): LdkBroadcast {
    let result: SubmitResult;
    try {
      result = this.testChain.submit(tx);
    } catch (e) {
      result = {
        accepted: false,
        reason: 'Malformed',
        detail: e instanceof Error ? e.message : String(e),
      };
    }
    const txid = result.accepted ? result.txid : (result.txid ?? safeTxid(tx) ?? '(unparsable)');
    const record: LdkBroadcast =
      !result.accepted && CONFLICT_REJECTIONS.has(result.reason)
        ? { node, txid, tx: tx.slice(), result, conflictScripts: this.verifyScriptsOnly(tx) }
        : { node, txid, tx: tx.slice(), result };
    this.broadcasts.push(record);
    return record;
  }

  /**
   * A boltkit `BroadcasterInterface` whose transactions are recorded in `broadcasts` under
   * `name` and checked exactly like LDK's, so one `rejectedBroadcasts()` covers both sides.
   */
  broadcasterFor(name: string): BroadcasterInterface {
    return {
      broadcastTransactions: (txs) => {
        for (const tx of txs) this.submitBroadcast(name, tx);
      },
    };
  }

  /**
   * Broadcasts the chain refused for a reason other than already knowing the transaction or
   * losing a race for an input with scripts that verify: a script failure, a missing input, a
   * lock not yet reached. A test expects none.
   */
  rejectedBroadcasts(): LdkBroadcast[] {
    return this.broadcasts.filter(
      (b) =>
        !b.result.accepted &&
        !HARMLESS_REJECTIONS.has(b.result.reason) &&
        b.conflictScripts?.ok !== true,
    );
  }

  /** Broadcasts that lost a race for an input but whose scripts verify. */
  conflictingBroadcasts(): LdkBroadcast[] {
    return this.broadcasts.filter((b) => b.conflictScripts?.ok === true);
  }

  /**
   * Mines `count` blocks; `txs` are submitted first and the first block confirms the whole
   * mempool (so every accepted broadcast). Every attached node is fed each block, then handles
   * its events once. Returns the new block hashes (display hex). A rejected `txs` entry throws
   * the chain's `TxRejectedError`.
   */
  connectBlocks(count: number, txs: readonly Uint8Array[] = []): string[] {
    const hashes = this.testChain.mineBlocks(count, txs);
    this.afterBlocks();
    return hashes;
  }

  /** Replaces the top `depth` blocks (see `TestChain.reorg`), feeding every attached node. */
  reorg(depth: number, replacement?: number | readonly (readonly Uint8Array[])[]): string[] {
    const hashes = this.testChain.reorg(depth, replacement);
    this.afterBlocks();
    return hashes;
  }

  /** Confirmations of a transaction: 0 in the mempool, undefined when unknown. */
  confirmations(txid: string): number | undefined {
    return this.testChain.getConfirmations(txid);
  }

  /** Script and value checks of `tx` against the outputs it spends, wherever they are. */
  private verifyScriptsOnly(tx: Uint8Array): VerifyTxResult {
    const parsed = Transaction.fromBuffer(tx);
    const prevouts: Prevout[] = [];
    for (const input of parsed.ins) {
      const parent = this.testChain.getTx(hashToDisplayHex(input.hash));
      const out =
        parent === undefined ? undefined : Transaction.fromBuffer(parent).outs[input.index];
      if (out === undefined) return { ok: false, error: 'spent output unknown' };
      prevouts.push({ scriptPubKey: out.script, valueSat: out.value });
    }
    return verifyTransaction(tx, prevouts, { flags: StandardFlags });
  }

  private afterBlocks(): void {
    for (const t of this.targets) t.afterBlocks();
  }
}

function safeTxid(tx: Uint8Array): string | undefined {
  try {
    return computeTxid(tx);
  } catch {
    return undefined;
  }
}

function txdataOf(ldk: Ldk, block: Block): TwoTuple_usizeTransactionZ[] {
  return block.transactions.map((tx, index) =>
    ldk.TwoTuple_usizeTransactionZ.constructor_new(index, tx),
  );
}

/**
 * The monitor learns of a block before the manager, as LDK asks, so a manager never acts on a
 * block its monitors have not seen.
 */
function feedConnected(t: LdkChainTarget, block: Block, height: number): void {
  if (t.feedStyle === 'listen') {
    t.chainMonitor
      .as_Listen()
      .filtered_block_connected(block.header, txdataOf(t.ldk, block), height);
    t.channelManager
      .as_Listen()
      .filtered_block_connected(block.header, txdataOf(t.ldk, block), height);
    return;
  }
  for (const confirm of [t.chainMonitor.as_Confirm(), t.channelManager.as_Confirm()]) {
    confirm.transactions_confirmed(block.header, txdataOf(t.ldk, block), height);
  }
  for (const confirm of [t.chainMonitor.as_Confirm(), t.channelManager.as_Confirm()]) {
    confirm.best_block_updated(block.header, height);
  }
}

function feedDisconnected(
  t: LdkChainTarget,
  header: Uint8Array,
  height: number,
  previousHeader: Uint8Array,
): void {
  if (t.feedStyle === 'listen') {
    t.channelManager.as_Listen().block_disconnected(header, height);
    t.chainMonitor.as_Listen().block_disconnected(header, height);
    return;
  }
  const hash = hex.encode(displayHexToHash(blockHash(header)));
  for (const confirm of [t.channelManager.as_Confirm(), t.chainMonitor.as_Confirm()]) {
    for (const relevant of confirm.get_relevant_txids()) {
      const inBlock = relevant.get_c();
      const sameBlock =
        inBlock instanceof t.ldk.Option_ThirtyTwoBytesZ_Some && hex.encode(inBlock.some) === hash;
      if (sameBlock || relevant.get_b() >= height)
        confirm.transaction_unconfirmed(relevant.get_a());
    }
  }
  for (const confirm of [t.chainMonitor.as_Confirm(), t.channelManager.as_Confirm()]) {
    confirm.best_block_updated(previousHeader, height - 1);
  }
}
