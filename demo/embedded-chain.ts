/**
 * A tiny in-memory blockchain for the demo, so two nodes can fund, confirm and close a channel
 * without bitcoind. It is deliberately naive: it checks no scripts and no amounts, it just keeps
 * blocks in order, puts broadcast transactions into the next block and hands every block to the
 * components that follow the chain (`Listen`: the ChannelManager and the ChainMonitor).
 *
 * `DemoWallet` is the on-chain wallet that pays for channel funding: one P2WPKH key that owns
 * block 1's coinbase, spending it with real BIP 143 signatures, so the funding transaction the
 * demo prints is a well-formed Bitcoin transaction.
 *
 * A real node replaces both with its chain source (bitcoind, Electrum, Esplora) and its wallet.
 */
import { Block as BitcoinBlock, script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import {
  blockHash,
  nobleBackend,
  type BestBlock,
  type Block,
  type BroadcasterInterface,
  type Listen,
  type OutPoint,
} from '../src/index.js';

/** Bitcoin Core's regtest genesis header (its hash is the regtest chain hash). */
const REGTEST_GENESIS_HEADER =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a' +
  'c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f2002000000';
const REGTEST_BITS = 0x207fffff;
const SIGHASH_ALL = 1;

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** Txids and block hashes are shown byte-reversed (Bitcoin's display order). */
function displayHexToHash(hex: string): Uint8Array {
  return fromHex(hex).reverse();
}

/** The txid (display hex) of a serialized transaction. */
function computeTxid(tx: Uint8Array): string {
  return Transaction.fromBuffer(tx).getId();
}

interface StoredBlock {
  readonly hash: string;
  readonly block: Block;
}

export class DemoChain {
  readonly wallet: DemoWallet;
  readonly #blocks: StoredBlock[] = [];
  readonly #mempool = new Map<string, Uint8Array>();
  readonly #confirmedAt = new Map<string, number>();
  readonly #txs = new Map<string, Uint8Array>();
  readonly #listeners: Listen[] = [];
  #time = 1_735_689_600;

  constructor() {
    const genesis = fromHex(REGTEST_GENESIS_HEADER);
    this.#blocks.push({ hash: blockHash(genesis), block: { header: genesis, transactions: [] } });
    this.wallet = new DemoWallet(this);
    // Block 1 pays the wallet; this demo chain does not enforce coinbase maturity.
    this.#mine([], this.wallet.scriptPubKey);
  }

  get height(): number {
    return this.#blocks.length - 1;
  }

  get tip(): BestBlock {
    return { blockHash: this.#blocks[this.height]!.hash, height: this.height };
  }

  /** Every block from now on goes to `listen` (it must already be at the current tip). */
  attach(listen: Listen): void {
    this.#listeners.push(listen);
  }

  /** What the nodes broadcast lands in the mempool and is mined by the next block. */
  readonly broadcaster: BroadcasterInterface = {
    broadcastTransactions: (txs) => {
      for (const tx of txs) {
        const txid = computeTxid(tx);
        if (!this.#confirmedAt.has(txid)) this.#mempool.set(txid, tx.slice());
      }
    },
  };

  mempoolTxids(): string[] {
    return [...this.#mempool.keys()];
  }

  /** The outputs of a transaction the chain has seen (mined or in the mempool), script in hex. */
  outputsOf(txid: string): { scriptPubKey: string; valueSat: bigint }[] {
    const tx = this.#mempool.get(txid) ?? this.#txs.get(txid);
    if (tx === undefined) return [];
    return Transaction.fromBuffer(tx).outs.map((o) => ({
      scriptPubKey: Array.from(o.script, (b) => b.toString(16).padStart(2, '0')).join(''),
      valueSat: o.value,
    }));
  }

  inMempool(txid: string): boolean {
    return this.#mempool.has(txid);
  }

  /** 0 in the mempool, undefined when unknown. */
  confirmations(txid: string): number | undefined {
    if (this.#mempool.has(txid)) return 0;
    const at = this.#confirmedAt.get(txid);
    return at === undefined ? undefined : this.height - at + 1;
  }

  /** Mines `n` blocks; the first one confirms everything in the mempool. */
  mineBlocks(n: number): void {
    for (let i = 0; i < n; i++) {
      const txs = [...this.#mempool.values()];
      this.#mempool.clear();
      this.#mine(txs, new Uint8Array([0x6a]));
    }
  }

  #mine(txs: readonly Uint8Array[], coinbaseScript: Uint8Array): void {
    const height = this.height + 1;
    const coinbase = new Transaction();
    coinbase.version = 2;
    coinbase.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, heightPush(height));
    coinbase.addOutput(coinbaseScript, 5_000_000_000n);
    const transactions: Uint8Array[] = [coinbase.toBuffer(), ...txs];
    this.#time += 600;
    const draft = new BitcoinBlock();
    draft.version = 0x20000000;
    draft.prevHash = displayHexToHash(this.tip.blockHash);
    draft.merkleRoot = BitcoinBlock.calculateMerkleRoot(
      transactions.map((tx) => Transaction.fromBuffer(tx)),
    );
    draft.timestamp = this.#time;
    draft.bits = REGTEST_BITS;
    draft.nonce = 0;
    const header = draft.toBuffer(true);
    const block: Block = { header, transactions };
    this.#blocks.push({ hash: blockHash(header), block });
    for (const tx of transactions) {
      const txid = computeTxid(tx);
      this.#confirmedAt.set(txid, height);
      this.#txs.set(txid, tx);
    }
    for (const l of this.#listeners) l.blockConnected(block, height);
  }

  /** The coinbase of block `height` (the wallet's coin comes from block 1). */
  coinbaseOf(height: number): Uint8Array {
    return this.#blocks[height]!.block.transactions[0]!;
  }
}

/** BIP 34: the coinbase script starts with the block height. */
function heightPush(height: number): Uint8Array {
  const bytes: number[] = [];
  for (let v = height; v > 0; v = Math.floor(v / 256)) bytes.push(v % 256);
  if ((bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes, 0x00);
}

interface Coin {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
}

/** A one-key P2WPKH wallet with a fixed key (a real wallet keeps its key secret). */
export class DemoWallet {
  readonly #secretKey = new Uint8Array(32).fill(0x42);
  readonly publicKey: Uint8Array;
  readonly scriptPubKey: Uint8Array;
  readonly #chain: DemoChain;
  #coins: Coin[] | undefined;

  constructor(chain: DemoChain) {
    this.#chain = chain;
    this.publicKey = nobleBackend.getPublicKey(this.#secretKey);
    const keyHash = nobleBackend.hash160(this.publicKey);
    this.scriptPubKey = Uint8Array.of(0x00, 0x14, ...keyHash);
  }

  balanceSat(): bigint {
    return this.#spendable().reduce((sum, c) => sum + c.valueSat, 0n);
  }

  /**
   * A signed transaction paying `valueSat` to `scriptPubKey` (output 0), change back to the
   * wallet, at a flat 1 sat/vbyte-ish fee. Not broadcast: the ChannelManager does that once
   * the peer has signed the first commitment (BOLT 2 `funding_signed`).
   */
  createFundingTx(scriptPubKey: Uint8Array, valueSat: bigint): Uint8Array {
    const feeSat = 500n;
    const coins = this.#spendable();
    const chosen: Coin[] = [];
    let inSat = 0n;
    for (const c of coins) {
      if (inSat >= valueSat + feeSat) break;
      chosen.push(c);
      inSat += c.valueSat;
    }
    if (inSat < valueSat + feeSat) throw new Error('DemoWallet: not enough funds');
    const tx = new Transaction();
    tx.version = 2;
    for (const c of chosen) tx.addInput(displayHexToHash(c.outpoint.txid), c.outpoint.index);
    tx.addOutput(scriptPubKey, valueSat);
    const changeSat = inSat - valueSat - feeSat;
    tx.addOutput(this.scriptPubKey, changeSat);
    const keyHash = nobleBackend.hash160(this.publicKey);
    const scriptCode = Uint8Array.of(0x76, 0xa9, 0x14, ...keyHash, 0x88, 0xac);
    chosen.forEach((c, i) => {
      const digest = tx.hashForWitnessV0(i, scriptCode, c.valueSat, SIGHASH_ALL);
      const signature = nobleBackend.sign(digest, this.#secretKey);
      tx.setWitness(i, [bitcoinScript.signature.encode(signature, SIGHASH_ALL), this.publicKey]);
    });
    const bytes: Uint8Array = tx.toBuffer();
    const txid = computeTxid(bytes);
    const spent = new Set(chosen.map((c) => `${c.outpoint.txid}:${c.outpoint.index}`));
    this.#coins = [
      ...this.#spendable().filter((c) => !spent.has(`${c.outpoint.txid}:${c.outpoint.index}`)),
      { outpoint: { txid, index: 1 }, valueSat: changeSat },
    ];
    return bytes;
  }

  #spendable(): Coin[] {
    this.#coins ??= [
      {
        outpoint: { txid: computeTxid(this.#chain.coinbaseOf(1)), index: 0 },
        valueSat: 5_000_000_000n,
      },
    ];
    return this.#coins;
  }
}
