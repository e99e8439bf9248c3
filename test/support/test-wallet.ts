/**
 * The test chain's wallet: one fixed P2WPKH key that receives the coinbase rewards, and builds
 * and signs (BIP 143, low-S, DER) transactions paying anywhere, such as channel funding outputs.
 * It signs through bitcoinjs-lib's sighash, independent of boltkit's own transaction code, so a
 * funding transaction from here is a fair input to the code under test.
 */
import { script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { OutPoint } from '../../src/chain/outpoint.js';
import { formatOutPoint } from '../../src/chain/outpoint.js';
import { displayHexToHash } from '../../src/chain/txid.js';
import { concatBytes, equalBytes } from '../../src/util/bytes.js';
import { APIMisuseError } from '../../src/util/errors.js';
import type { Coin, SubmitResult } from './test-chain-mempool.js';
import { COINBASE_MATURITY } from './test-chain-mempool.js';

/** The default wallet key: fixed, so every test run builds the same transactions. */
export const TEST_WALLET_SECRET_KEY = new Uint8Array(32).fill(0x42);

/** Change below this is added to the fee instead (Core's P2WPKH dust limit at 3 sat/vB). */
const CHANGE_DUST_LIMIT_SAT = 294n;
const SIGHASH_ALL = 1;

/** What the wallet needs from the chain. */
export interface WalletChain {
  readonly height: number;
  listUnspent(scriptPubKey: Uint8Array): Coin[];
  getUtxo(outpoint: OutPoint, includeMempool?: boolean): Coin | undefined;
  submit(tx: Uint8Array): SubmitResult;
  broadcast(tx: Uint8Array): string;
}

export interface TxOutputSpec {
  readonly scriptPubKey: Uint8Array;
  readonly valueSat: bigint;
}

export interface CreateTxOptions {
  /** Fee rate of the whole transaction in sat/kW (1000 unless given). */
  readonly feerateSatPerKw?: number;
  /**
   * Spend exactly these wallet outputs, reserved or not, mature or not (the chain decides
   * whether the result is valid): for double-spend, maturity and lock tests.
   */
  readonly inputs?: readonly OutPoint[];
  readonly version?: number;
  readonly locktime?: number;
  /** nSequence of every input (0xfffffffd, signalling replaceability, unless given). */
  readonly sequence?: number;
}

export interface FundedOutput {
  readonly tx: Uint8Array;
  readonly txid: string;
  /** The output paying the requested script. */
  readonly outpoint: OutPoint;
}

export class TestWallet {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** P2WPKH: OP_0 <hash160(publicKey)>. */
  readonly scriptPubKey: Uint8Array;
  readonly #chain: WalletChain;
  readonly #crypto: CryptoBackend;
  /** Outpoints used by transactions this wallet built, so two builds never pick the same coin. */
  readonly #reserved = new Set<string>();

  constructor(
    chain: WalletChain,
    secretKey: Uint8Array = TEST_WALLET_SECRET_KEY,
    crypto: CryptoBackend = nobleBackend,
  ) {
    this.#chain = chain;
    this.#crypto = crypto;
    this.secretKey = secretKey.slice();
    this.publicKey = crypto.getPublicKey(secretKey);
    this.scriptPubKey = concatBytes(Uint8Array.of(0x00, 0x14), crypto.hash160(this.publicKey));
  }

  /** Coins the wallet would choose from: mature, unreserved, confirmed first. */
  spendableCoins(): Coin[] {
    const nextHeight = this.#chain.height + 1;
    return this.#chain
      .listUnspent(this.scriptPubKey)
      .filter(
        (c) =>
          !this.#reserved.has(formatOutPoint(c.outpoint)) &&
          !(c.coinbase && nextHeight - c.height! < COINBASE_MATURITY),
      );
  }

  balanceSat(): bigint {
    return this.spendableCoins().reduce((sum, c) => sum + c.valueSat, 0n);
  }

  /**
   * Builds and signs a transaction paying `outputs` (in that order, change last) from wallet
   * coins, and reserves the coins. It is not submitted: hand it to the code under test (for
   * example as a funding transaction), or to `chain.submit`. Throws `APIMisuseError` when funds
   * are short (mine 101 blocks first) or a forced input is not a wallet coin.
   */
  createFundingTx(outputs: readonly TxOutputSpec[], options: CreateTxOptions = {}): Uint8Array {
    if (outputs.length === 0) throw new APIMisuseError('createFundingTx: no outputs');
    const feerate = options.feerateSatPerKw ?? 1000;
    const targetSat = outputs.reduce((sum, o) => sum + o.valueSat, 0n);
    const forced = options.inputs?.map((op) => this.#ownCoin(op));
    const candidates = forced ?? this.spendableCoins();
    const chosen: Coin[] = [];
    let inSat = 0n;
    for (const coin of candidates) {
      if (
        forced === undefined &&
        inSat >= targetSat + this.#fee(chosen.length, outputs, true, feerate)
      ) {
        break;
      }
      chosen.push(coin);
      inSat += coin.valueSat;
    }
    const feeWithChange = this.#fee(chosen.length, outputs, true, feerate);
    const feeWithout = this.#fee(chosen.length, outputs, false, feerate);
    if (chosen.length === 0 || inSat < targetSat + feeWithout) {
      throw new APIMisuseError(
        `TestWallet: ${inSat} sat available, ${targetSat} sat plus fees needed (mine 101 blocks first)`,
      );
    }
    const changeSat = inSat - targetSat - feeWithChange;
    const all =
      changeSat >= CHANGE_DUST_LIMIT_SAT
        ? [...outputs, { scriptPubKey: this.scriptPubKey, valueSat: changeSat }]
        : outputs;
    const tx = this.#build(chosen, all, options);
    this.#sign(tx, chosen);
    for (const c of chosen) this.#reserved.add(formatOutPoint(c.outpoint));
    return tx.toBuffer();
  }

  /**
   * Pays `valueSat` to `scriptPubKey` and submits it to the mempool (not mined). Throws
   * `TxRejectedError` if the chain refuses it.
   */
  fundAddress(
    scriptPubKey: Uint8Array,
    valueSat: bigint,
    options: CreateTxOptions = {},
  ): FundedOutput {
    const tx = this.createFundingTx([{ scriptPubKey, valueSat }], options);
    const txid = this.#chain.broadcast(tx);
    return { tx, txid, outpoint: { txid, index: 0 } };
  }

  /** Forgets reservations, for coins of transactions that were built but never broadcast. */
  releaseReservations(): void {
    this.#reserved.clear();
  }

  #ownCoin(outpoint: OutPoint): Coin {
    const coin = this.#chain.getUtxo(outpoint, false) ?? this.#chain.getUtxo(outpoint, true);
    if (coin === undefined || !equalBytes(coin.scriptPubKey, this.scriptPubKey)) {
      throw new APIMisuseError(
        `TestWallet: ${formatOutPoint(outpoint)} is not an unspent wallet coin`,
      );
    }
    return coin;
  }

  #build(
    coins: readonly Coin[],
    outputs: readonly TxOutputSpec[],
    options: CreateTxOptions,
  ): Transaction {
    const tx = new Transaction();
    tx.version = options.version ?? 2;
    tx.locktime = options.locktime ?? 0;
    for (const c of coins) {
      tx.addInput(
        displayHexToHash(c.outpoint.txid),
        c.outpoint.index,
        options.sequence ?? 0xfffffffd,
      );
    }
    for (const o of outputs) tx.addOutput(o.scriptPubKey, o.valueSat);
    return tx;
  }

  /** Fee at `feerate` for a transaction of this shape, measured with worst-case signatures. */
  #fee(
    inputs: number,
    outputs: readonly TxOutputSpec[],
    withChange: boolean,
    feerate: number,
  ): bigint {
    const tx = new Transaction();
    tx.version = 2;
    for (let i = 0; i < Math.max(inputs, 1); i++) tx.addInput(new Uint8Array(32), i);
    for (const o of outputs) tx.addOutput(o.scriptPubKey, o.valueSat);
    if (withChange) tx.addOutput(this.scriptPubKey, 0n);
    for (let i = 0; i < tx.ins.length; i++) tx.setWitness(i, [new Uint8Array(73), this.publicKey]);
    return BigInt(Math.ceil((tx.weight() * feerate) / 1000));
  }

  /** BIP 143 P2WPKH signatures: the script code is the P2PKH script of the key hash. */
  #sign(tx: Transaction, coins: readonly Coin[]): void {
    const keyHash = this.#crypto.hash160(this.publicKey);
    const scriptCode = concatBytes(
      Uint8Array.of(0x76, 0xa9, 0x14),
      keyHash,
      Uint8Array.of(0x88, 0xac),
    );
    coins.forEach((coin, i) => {
      const digest = tx.hashForWitnessV0(i, scriptCode, coin.valueSat, SIGHASH_ALL);
      const signature = this.#crypto.sign(digest, this.secretKey);
      tx.setWitness(i, [bitcoinScript.signature.encode(signature, SIGHASH_ALL), this.publicKey]);
    });
  }
}
