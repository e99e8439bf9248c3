/**
 * A two-party channel built entirely with boltkit's own transaction builders (src/tx) and
 * signers (src/keys), for the script-validation tests in test/tx/*script-validation*.test.ts:
 * a funding transaction spending a P2WPKH wallet coin, both sides' signed commitments with two
 * untrimmed HTLCs (one offered by each side) and their signed HTLC transactions, and helpers to
 * build and sign one-input spends of any output. Nothing here computes a script or a sighash of
 * its own; the script interpreter helper then judges what the builders produced.
 *
 * Side `a` opened (funded) the channel; `b` accepted. Keys come from fixed seeds.
 */
import { nobleBackend } from '../../src/crypto/noble.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import type { InMemorySigner } from '../../src/keys/in-memory-signer.js';
import type { SignableInput } from '../../src/keys/signable-tx.js';
import type { ChannelType } from '../../src/tx/channel-type.js';
import {
  buildCommitmentTransaction,
  commitmentSignableInput,
  finalizeCommitmentTransaction,
  type CommitmentHtlc,
  type CommitmentTransaction,
} from '../../src/tx/commitment.js';
import { deriveCommitmentKeys, type CommitmentKeys } from '../../src/tx/commitment-keys.js';
import {
  buildHtlcTransactions,
  finalizeHtlcTransaction,
  htlcSignableInput,
  type HtlcTransaction,
} from '../../src/tx/htlc-tx.js';
import { fundingScriptPubkey } from '../../src/tx/scripts/funding.js';
import { compileScript, Opcode } from '../../src/tx/scripts/script.js';
import { p2wpkhScriptPubkey } from '../../src/tx/scripts/templates.js';
import { p2wpkhWitness } from '../../src/tx/scripts/witness.js';
import { segwitV0Sighash, sighashOfSignable, signableInput } from '../../src/tx/sighash.js';
import { SighashType } from '../../src/tx/signature-encoding.js';
import {
  computeTxid,
  serializeTransaction,
  txidToHex,
  withWitness,
  type OutPoint,
  type Transaction,
} from '../../src/tx/transaction.js';
import type { Prevout } from './script-interpreter.js';

const crypto = nobleBackend;

/** Heights of the test timeline: the funding confirms, then a commitment confirms. */
export const FUNDING_HEIGHT = 100;
export const COMMITMENT_HEIGHT = 200;
/** A median time past well after every obscured commitment locktime (those read as ~1987). */
export const MEDIAN_TIME_PAST = 1_700_000_000;

export const FUNDING_VALUE_SAT = 10_000_000n;
/** Blocks `a`'s own outputs wait (set by `b`) and `b`'s (set by `a`): different on purpose. */
export const TO_SELF_DELAY = { a: 144, b: 100 } as const;
const FEERATE_SAT_PER_KW = 2500;
const DUST_LIMIT_SAT = 546n;
/** Fee every test sweep pays. */
export const SWEEP_FEE_SAT = 1000n;

/** The wallet that funds the channel and pays for CPFP: one P2WPKH key. */
export const WALLET_SECRET = new Uint8Array(32).fill(0x03);
export const WALLET_PUBKEY = crypto.getPublicKey(WALLET_SECRET);
export const WALLET_SCRIPT = p2wpkhScriptPubkey(WALLET_PUBKEY);
/** The coin the funding transaction spends (its previous transaction is not needed). */
export const WALLET_COIN = {
  outpoint: { txid: new Uint8Array(32).fill(0x11), vout: 0 },
  prevout: { scriptPubKey: WALLET_SCRIPT, valueSat: 100_000_000n },
} as const;

/** An unrelated key, for "signed with the wrong key" cases. */
export const WRONG_SECRET = new Uint8Array(32).fill(0x77);

/** The two HTLCs: `a` offers one, `b` offers the other. */
export const PREIMAGES = {
  a: new Uint8Array(32).fill(0xaa),
  b: new Uint8Array(32).fill(0xbb),
} as const;
export const HTLCS = {
  a: { amountMsat: 5_000_000n, cltvExpiry: 500 },
  b: { amountMsat: 7_000_000n, cltvExpiry: 510 },
} as const;
const BALANCES_MSAT = { a: 5_995_000_000n, b: 3_993_000_000n } as const;

export type Side = 'a' | 'b';
export const other = (side: Side): Side => (side === 'a' ? 'b' : 'a');

/** One side's signed commitment and everything needed to spend its outputs. */
export interface HolderCommitment {
  readonly broadcaster: Side;
  readonly commitment: CommitmentTransaction;
  readonly keys: CommitmentKeys;
  readonly perCommitmentPoint: Uint8Array;
  readonly signed: Transaction;
  /** Every HTLC transaction, unsigned (`commitment.outputs` order). */
  readonly htlcTxs: readonly HtlcTransaction[];
  /** The countersignatory's signatures on them, as `commitment_signed` carries them. */
  readonly remoteHtlcSignatures: readonly Uint8Array[];
  /** The HTLC transactions finalized with both signatures (and the preimage for success). */
  readonly signedHtlcTxs: readonly Transaction[];
}

export interface TestChannel {
  readonly channelType: ChannelType;
  readonly signers: Record<Side, InMemorySigner>;
  readonly destination: Record<Side, Uint8Array>;
  readonly fundingTx: Transaction;
  readonly fundingOutpoint: OutPoint;
  readonly fundingPrevout: Prevout;
  readonly commitments: Record<Side, HolderCommitment>;
}

export const COMMITMENT_NUMBER = 0;

function signerFor(seedByte: number): { signer: InMemorySigner; destination: Uint8Array } {
  const km = new KeysManager(new Uint8Array(32).fill(seedByte), 1_700_000_000, 0, {
    getRandomValues: null,
  });
  const id = km.generateChannelKeysId(seedByte === 2, FUNDING_VALUE_SAT, 1n);
  return {
    signer: km.deriveInMemorySigner(FUNDING_VALUE_SAT, id),
    destination: km.getDestinationScript(),
  };
}

/** The BIP 143 scriptCode of a P2WPKH output (the implied P2PKH script). */
export function p2wpkhScriptCode(pubkey: Uint8Array): Uint8Array {
  return compileScript([
    Opcode.OP_DUP,
    Opcode.OP_HASH160,
    crypto.hash160(pubkey),
    Opcode.OP_EQUALVERIFY,
    Opcode.OP_CHECKSIG,
  ]);
}

/** Signs input `inputIndex` of `tx` as the wallet's P2WPKH coin worth `valueSat`. */
export function signWalletInput(
  tx: Transaction,
  inputIndex: number,
  valueSat: bigint,
): Transaction {
  const digest = segwitV0Sighash({
    tx,
    inputIndex,
    witnessScript: p2wpkhScriptCode(WALLET_PUBKEY),
    valueSat,
    sighashType: SighashType.All,
  });
  const signature = crypto.sign(digest, WALLET_SECRET);
  return withWitness(tx, inputIndex, p2wpkhWitness(signature, WALLET_PUBKEY));
}

/** The funding transaction: the wallet coin into the 2-of-2 output, change back to the wallet. */
function fundingTransaction(aFunding: Uint8Array, bFunding: Uint8Array): Transaction {
  const unsigned: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: WALLET_COIN.outpoint,
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [],
      },
    ],
    outputs: [
      { valueSat: FUNDING_VALUE_SAT, scriptPubkey: fundingScriptPubkey(aFunding, bFunding) },
      {
        valueSat: WALLET_COIN.prevout.valueSat - FUNDING_VALUE_SAT - 2000n,
        scriptPubkey: WALLET_SCRIPT,
      },
    ],
    locktime: FUNDING_HEIGHT - 1,
  };
  return signWalletInput(unsigned, 0, WALLET_COIN.prevout.valueSat);
}

/** The HTLCs as `broadcaster`'s commitment sees them. */
function htlcsSeenBy(broadcaster: Side): CommitmentHtlc[] {
  return (['a', 'b'] as const).map((offerer) => ({
    offered: offerer === broadcaster,
    amountMsat: HTLCS[offerer].amountMsat,
    paymentHash: crypto.sha256(PREIMAGES[offerer]),
    cltvExpiry: HTLCS[offerer].cltvExpiry,
  }));
}

function holderCommitment(
  channel: Omit<TestChannel, 'commitments'>,
  broadcaster: Side,
): HolderCommitment {
  const holder = channel.signers[broadcaster];
  const counterparty = channel.signers[other(broadcaster)];
  const perCommitmentPoint = holder.getPerCommitmentPoint(COMMITMENT_NUMBER);
  const keys = deriveCommitmentKeys({
    broadcaster: holder.pubkeys,
    countersignatory: counterparty.pubkeys,
    perCommitmentPoint,
  });
  const commitment = buildCommitmentTransaction({
    fundingOutpoint: channel.fundingOutpoint,
    fundingValueSat: FUNDING_VALUE_SAT,
    commitmentNumber: COMMITMENT_NUMBER,
    openerPaymentBasepoint: channel.signers.a.pubkeys.paymentBasepoint,
    accepterPaymentBasepoint: channel.signers.b.pubkeys.paymentBasepoint,
    toSelfDelay: TO_SELF_DELAY[broadcaster],
    dustLimitSat: DUST_LIMIT_SAT,
    feerateSatPerKw: FEERATE_SAT_PER_KW,
    channelType: channel.channelType,
    funder: broadcaster === 'a' ? 'local' : 'remote',
    keys,
    toLocalMsat: BALANCES_MSAT[broadcaster],
    toRemoteMsat: BALANCES_MSAT[other(broadcaster)],
    htlcs: htlcsSeenBy(broadcaster),
  });
  const htlcTxs = buildHtlcTransactions(commitment);
  // commitment_signed from the counterparty, then our own signatures to go to chain.
  const theirs = counterparty.signCounterpartyCommitment({
    commitmentNumber: COMMITMENT_NUMBER,
    commitmentTx: commitmentSignableInput(commitment),
    htlcTxs: htlcTxs.map((t) => htlcSignableInput(t, 'remote')),
    counterpartyPerCommitmentPoint: perCommitmentPoint,
  });
  const ours = holder.signHolderCommitment({
    commitmentNumber: COMMITMENT_NUMBER,
    commitmentTx: commitmentSignableInput(commitment),
  });
  const signed = finalizeCommitmentTransaction(commitment, {
    localSignature: ours,
    remoteSignature: theirs.signature,
  });
  const signedHtlcTxs = htlcTxs.map((t, i) =>
    finalizeHtlcTransaction(t, {
      localSignature: holder.signHolderHtlcTransaction({
        commitmentNumber: COMMITMENT_NUMBER,
        htlcTx: htlcSignableInput(t, 'local'),
        perCommitmentPoint,
      }),
      remoteSignature: theirs.htlcSignatures[i]!,
      ...preimageFor(t.htlc),
    }),
  );
  return {
    broadcaster,
    commitment,
    keys,
    perCommitmentPoint,
    signed,
    htlcTxs,
    remoteHtlcSignatures: theirs.htlcSignatures,
    signedHtlcTxs,
  };
}

/** The `paymentPreimage` argument an HTLC-success finalization needs (none for timeout). */
export function preimageFor(htlc: CommitmentHtlc): { paymentPreimage?: Uint8Array } {
  return htlc.offered ? {} : { paymentPreimage: preimageOf(htlc) };
}

/** The preimage of one of the two test HTLCs. */
export function preimageOf(htlc: CommitmentHtlc): Uint8Array {
  for (const side of ['a', 'b'] as const) {
    if (crypto.sha256(PREIMAGES[side]).every((x, i) => x === htlc.paymentHash[i])) {
      return PREIMAGES[side];
    }
  }
  throw new Error('unknown payment hash');
}

/** Opens the test channel: funding, parameters on both signers, both signed commitments. */
export function openTestChannel(channelType: ChannelType): TestChannel {
  const a = signerFor(1);
  const b = signerFor(2);
  const fundingTx = fundingTransaction(
    a.signer.pubkeys.fundingPubkey,
    b.signer.pubkeys.fundingPubkey,
  );
  const fundingOutpoint = { txid: computeTxid(fundingTx), vout: 0 };
  for (const side of ['a', 'b'] as const) {
    const signer = side === 'a' ? a.signer : b.signer;
    signer.provideChannelParameters({
      counterpartyPubkeys: (side === 'a' ? b.signer : a.signer).pubkeys,
      isOutbound: side === 'a',
      holderToSelfDelay: TO_SELF_DELAY[side],
      counterpartyToSelfDelay: TO_SELF_DELAY[other(side)],
      fundingOutpoint: { txid: txidToHex(fundingOutpoint.txid), outputIndex: 0 },
      channelType,
    });
  }
  const base = {
    channelType,
    signers: { a: a.signer, b: b.signer },
    destination: { a: a.destination, b: b.destination },
    fundingTx,
    fundingOutpoint,
    fundingPrevout: {
      scriptPubKey: fundingTx.outputs[0]!.scriptPubkey,
      valueSat: FUNDING_VALUE_SAT,
    },
  };
  return {
    ...base,
    commitments: { a: holderCommitment(base, 'a'), b: holderCommitment(base, 'b') },
  };
}

/** The output `vout` of `tx` as a prevout for the interpreter. */
export function prevoutOf(tx: Transaction, vout: number): Prevout {
  const o = tx.outputs[vout]!;
  return { scriptPubKey: o.scriptPubkey, valueSat: o.valueSat };
}

/** A one-input, one-output spend of output `vout` of `tx`, paying `to` minus the sweep fee. */
export function sweepOf(
  tx: Transaction,
  vout: number,
  opts: { readonly to: Uint8Array; readonly sequence: number; readonly locktime?: number },
): Transaction {
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: computeTxid(tx), vout },
        scriptSig: new Uint8Array(0),
        sequence: opts.sequence,
        witness: [],
      },
    ],
    outputs: [{ valueSat: tx.outputs[vout]!.valueSat - SWEEP_FEE_SAT, scriptPubkey: opts.to }],
    locktime: opts.locktime ?? 0,
  };
}

/** What a signer signs for input `inputIndex` of `tx` spending `witnessScript` (SIGHASH_ALL). */
export function signable(
  tx: Transaction,
  witnessScript: Uint8Array,
  valueSat: bigint,
  inputIndex = 0,
): SignableInput {
  return signableInput({ tx, inputIndex, witnessScript, valueSat, sighashType: SighashType.All });
}

/** A signature of `input` by a key that has nothing to do with the channel. */
export function wrongKeySignature(input: SignableInput): Uint8Array {
  return crypto.sign(sighashOfSignable(input), WRONG_SECRET);
}

export { serializeTransaction };
