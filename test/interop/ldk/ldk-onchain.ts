/**
 * What an LDK test node does on chain after a close, through the test chain: it answers
 * `BumpTransaction` events with LDK's own `BumpTransactionEventHandler` on a wallet backed by
 * the chain wallet (so an anchor channel's commitment goes out with a child spending the anchor,
 * BOLT 3 "Anchor outputs"), and it sweeps `SpendableOutputs` to the chain wallet with
 * `OutputSpender.spend_spendable_outputs`. Every such transaction is broadcast through the node,
 * so the chain's script interpreter checks LDK's signatures, scripts and CSV/CLTV locks.
 *
 * The wallet callbacks run inside WASM (during `handle_event`): they only read the chain, sign
 * with the wallet key and build return values; failures are recorded, never thrown.
 * https://github.com/lightning/bolts/blob/master/03-transactions.md#to_local_anchor-and-to_remote_anchor-output-option_anchors
 */
import { Psbt, script as bitcoinScript, Transaction } from 'bitcoinjs-lib';
import type {
  BroadcasterInterface,
  BumpTransactionEventHandler,
  Event,
  KeysManager,
  Logger,
  SpendableOutputDescriptor,
  Utxo,
  Wallet,
  WalletSource,
} from 'lightningdevkit';
import { displayHexToHash, hashToDisplayHex } from '../../../src/chain/txid.js';
import { nobleBackend } from '../../../src/crypto/noble.js';
import { concatBytes, equalBytes } from '../../../src/util/bytes.js';
import type { LdkChain } from './ldk-chain.js';
import type { Ldk } from './load.js';

/** Witness weight of a P2WPKH input plus its empty script_sig (LDK's satisfaction weight). */
const P2WPKH_SATISFACTION_WEIGHT = 4n + 109n;
/** At most this many wallet coins are offered to LDK's coin selection. */
const MAX_OFFERED_COINS = 8;
const SIGHASH_ALL = 1;

export interface LdkOnchainContext {
  readonly ldk: Ldk;
  readonly name: string;
  readonly chain: LdkChain;
  readonly keysManager: KeysManager;
  readonly broadcaster: BroadcasterInterface;
  readonly logger: Logger;
  /** The node's current fee rate, for sweeps. */
  feerateSatPerKw(): number;
  /** Sweep `SpendableOutputs` to the chain wallet as they come. */
  readonly sweep: boolean;
  /** Broadcasts a transaction the glue built, as if LDK had. */
  broadcast(tx: Uint8Array): void;
  log(line: string): void;
}

/** A sweep of `SpendableOutputs` the node broadcast. */
export interface LdkSweep {
  readonly txid: string;
  /** Descriptor kinds, e.g. `DelayedPaymentOutput`, `StaticPaymentOutput`, `StaticOutput`. */
  readonly kinds: readonly string[];
  readonly valueSat: bigint;
}

export class LdkOnchain {
  /** `BumpTransaction` events seen, by kind (`ChannelClose`, `HTLCResolution`). */
  readonly bumps: string[] = [];
  readonly sweeps: LdkSweep[] = [];
  /** Failures in the wallet callbacks or while sweeping. */
  readonly errors: string[] = [];
  private readonly ctx: LdkOnchainContext;
  private readonly walletSource: WalletSource;
  private readonly wallet: Wallet;
  private readonly bumpHandler: BumpTransactionEventHandler;

  constructor(ctx: LdkOnchainContext) {
    this.ctx = ctx;
    const { ldk } = ctx;
    this.walletSource = ldk.WalletSource.new_impl({
      list_confirmed_utxos: () => {
        try {
          return ldk.Result_CVec_UtxoZNoneZ.constructor_ok(this.confirmedUtxos());
        } catch (e) {
          this.fail('list_confirmed_utxos', e);
          return ldk.Result_CVec_UtxoZNoneZ.constructor_err();
        }
      },
      get_change_script: () =>
        ldk.Result_CVec_u8ZNoneZ.constructor_ok(ctx.chain.testChain.wallet.scriptPubKey),
      sign_psbt: (psbt) => {
        try {
          return ldk.Result_TransactionNoneZ.constructor_ok(this.signWalletInputs(psbt));
        } catch (e) {
          this.fail('sign_psbt', e);
          return ldk.Result_TransactionNoneZ.constructor_err();
        }
      },
    });
    this.wallet = ldk.Wallet.constructor_new(this.walletSource, ctx.logger);
    this.bumpHandler = ldk.BumpTransactionEventHandler.constructor_new(
      ctx.broadcaster,
      this.wallet.as_CoinSelectionSource(),
      ctx.keysManager.as_SignerProvider(),
      ctx.logger,
    );
  }

  /** Answers `BumpTransaction` and `SpendableOutputs`; ignores other events. */
  handleEvent(event: Event): void {
    const { ldk } = this.ctx;
    if (event instanceof ldk.Event_BumpTransaction) {
      const bump = event.bump_transaction;
      this.bumps.push(
        bump instanceof ldk.BumpTransactionEvent_ChannelClose ? 'ChannelClose' : 'HTLCResolution',
      );
      // LDK builds the child, asks the wallet to sign, and broadcasts the package.
      this.bumpHandler.handle_event(bump);
    } else if (event instanceof ldk.Event_SpendableOutputs && this.ctx.sweep) {
      this.sweep(event.outputs);
    }
  }

  private sweep(outputs: SpendableOutputDescriptor[]): void {
    const { ldk } = this.ctx;
    const kinds = outputs.map((o) => o.constructor.name.replace('SpendableOutputDescriptor_', ''));
    const result = this.ctx.keysManager
      .as_OutputSpender()
      .spend_spendable_outputs(
        outputs,
        [],
        this.ctx.chain.testChain.wallet.scriptPubKey,
        this.ctx.feerateSatPerKw(),
        ldk.Option_u32Z.constructor_none(),
      );
    if (!(result instanceof ldk.Result_TransactionNoneZ_OK)) {
      this.fail('spend_spendable_outputs', new Error(`refused for ${kinds.join(', ')}`));
      return;
    }
    const tx = Transaction.fromBuffer(result.res);
    this.sweeps.push({
      txid: tx.getId(),
      kinds,
      valueSat: tx.outs.reduce((sum, o) => sum + o.value, 0n),
    });
    this.ctx.broadcast(result.res);
  }

  /** Confirmed, unreserved chain-wallet coins not spent in the mempool. */
  private confirmedUtxos(): Utxo[] {
    const { ldk } = this.ctx;
    const wallet = this.ctx.chain.testChain.wallet;
    return wallet
      .spendableCoins()
      .filter((c) => c.height !== undefined)
      .slice(0, MAX_OFFERED_COINS)
      .map((c) =>
        ldk.Utxo.constructor_new(
          ldk.OutPoint.constructor_new(displayHexToHash(c.outpoint.txid), c.outpoint.index),
          ldk.TxOut.constructor_new(c.valueSat, c.scriptPubKey),
          P2WPKH_SATISFACTION_WEIGHT,
        ),
      );
  }

  /**
   * Signs the inputs that spend chain-wallet coins (BIP 143, SIGHASH_ALL) and returns the
   * transaction; LDK signs the anchor input itself afterwards.
   */
  private signWalletInputs(psbtBytes: Uint8Array): Uint8Array {
    const wallet = this.ctx.chain.testChain.wallet;
    const psbt = Psbt.fromBuffer(psbtBytes);
    const tx = Transaction.fromBuffer(psbt.data.globalMap.unsignedTx.toBuffer());
    const keyHash = nobleBackend.hash160(wallet.publicKey);
    const scriptCode = concatBytes(
      Uint8Array.of(0x76, 0xa9, 0x14),
      keyHash,
      Uint8Array.of(0x88, 0xac),
    );
    tx.ins.forEach((input, i) => {
      const coin = this.ctx.chain.testChain.getUtxo(
        { txid: hashToDisplayHex(input.hash), index: input.index },
        false,
      );
      if (coin === undefined || !equalBytes(coin.scriptPubKey, wallet.scriptPubKey)) return;
      const digest = tx.hashForWitnessV0(i, scriptCode, coin.valueSat, SIGHASH_ALL);
      const signature = nobleBackend.sign(digest, wallet.secretKey);
      tx.setWitness(i, [bitcoinScript.signature.encode(signature, SIGHASH_ALL), wallet.publicKey]);
    });
    return tx.toBuffer();
  }

  private fail(what: string, e: unknown): void {
    const line = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    this.errors.push(line);
    this.ctx.log(`ERROR glue: ${line}`);
  }
}
