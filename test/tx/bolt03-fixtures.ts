// Shared loading of the BOLT 3 Appendix C / F vectors for the transaction tests.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex } from '../../src/util/bytes.js';
import type { CommitmentHtlc, CommitmentParams } from '../../src/tx/commitment.js';
import type { CommitmentKeys } from '../../src/tx/commitment-keys.js';
import type { ChannelType } from '../../src/tx/channel-type.js';
import { txidFromHex } from '../../src/tx/transaction.js';
import { sighashOfSignable } from '../../src/tx/sighash.js';
import type { SignableInput } from '../../src/keys/signable-tx.js';

const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

export function loadVector(name: string): unknown {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8'));
}

export interface AppendixCHtlc {
  index: number;
  direction: 'remote->local' | 'local->remote';
  amount_msat: number;
  expiry: number;
  payment_preimage: string;
}

export interface AppendixCCommon {
  funding_tx_id: string;
  funding_output_index: number;
  funding_amount_satoshi: number;
  commitment_number: number;
  local_delay: number;
  local_dust_limit_satoshi: number;
  htlcs: AppendixCHtlc[];
  local_payment_basepoint: string;
  remote_payment_basepoint: string;
  obscuring_factor: string;
  local_htlc_basepoint: string;
  remote_htlc_basepoint: string;
  local_funding_privkey: string;
  local_funding_pubkey: string;
  remote_funding_pubkey: string;
  local_privkey: string;
  local_htlcpubkey: string;
  remote_htlcpubkey: string;
  local_delayedpubkey: string;
  local_revocation_pubkey: string;
  funding_witness_script: string;
  internal_derivation_values: Record<string, string>;
}

/** Appendix B/C private keys carry a trailing 01 (compressed flag); drop it. */
export function privkey(hex: string): Uint8Array {
  return fromHex(hex.slice(0, 64), 32);
}

export function paymentHashOf(preimageHex: string): Uint8Array {
  return nobleBackend.sha256(fromHex(preimageHex, 32));
}

export function htlcsFor(common: AppendixCCommon, indices: number[]): CommitmentHtlc[] {
  return indices.map((i) => {
    const h = common.htlcs[i]!;
    return {
      offered: h.direction === 'local->remote',
      amountMsat: BigInt(h.amount_msat),
      paymentHash: paymentHashOf(h.payment_preimage),
      cltvExpiry: h.expiry,
    };
  });
}

export function keysFor(common: AppendixCCommon): CommitmentKeys {
  return {
    revocationPubkey: fromHex(common.local_revocation_pubkey, 33),
    localDelayedPubkey: fromHex(common.local_delayedpubkey, 33),
    localHtlcPubkey: fromHex(common.local_htlcpubkey, 33),
    remoteHtlcPubkey: fromHex(common.remote_htlcpubkey, 33),
    // option_static_remotekey: remotepubkey is the remote payment basepoint.
    remotePaymentPubkey: fromHex(common.remote_payment_basepoint, 33),
    localFundingPubkey: fromHex(common.local_funding_pubkey, 33),
    remoteFundingPubkey: fromHex(common.remote_funding_pubkey, 33),
  };
}

export function paramsFor(
  common: AppendixCCommon,
  args: {
    channelType: ChannelType;
    htlcIndices: number[];
    toLocalMsat: bigint;
    toRemoteMsat: bigint;
    feerateSatPerKw: number;
    dustLimitSat: bigint;
  },
): CommitmentParams {
  return {
    fundingOutpoint: { txid: txidFromHex(common.funding_tx_id), vout: common.funding_output_index },
    fundingValueSat: BigInt(common.funding_amount_satoshi),
    commitmentNumber: common.commitment_number,
    openerPaymentBasepoint: fromHex(common.local_payment_basepoint, 33),
    accepterPaymentBasepoint: fromHex(common.remote_payment_basepoint, 33),
    toSelfDelay: common.local_delay,
    dustLimitSat: args.dustLimitSat,
    feerateSatPerKw: args.feerateSatPerKw,
    channelType: args.channelType,
    funder: 'local',
    keys: keysFor(common),
    toLocalMsat: args.toLocalMsat,
    toRemoteMsat: args.toRemoteMsat,
    htlcs: htlcsFor(common, args.htlcIndices),
  };
}

/** Appendix C test entry, as the vector file holds it. */
export interface AppendixCTest {
  name: string;
  htlc_indices: number[];
  to_local_msat: number;
  to_remote_msat: number;
  local_feerate_per_kw: number;
  base_commitment_fee_sat?: number;
  actual_commitment_fee_sat?: number;
  outputs_info: {
    type: 'to_local' | 'to_remote' | 'htlc_offered' | 'htlc_received';
    htlc_index?: number;
    amount_sat: number;
    witness_script?: string;
    p2wpkh_pubkey?: string;
  }[];
  remote_signature: string;
  local_signature: string;
  output_commit_tx: string;
  num_htlcs?: number;
  htlc_txs?: {
    commitment_output_index: number;
    type: 'htlc-success' | 'htlc-timeout';
    htlc_index: number;
    remote_htlc_signature: string;
    local_htlc_signature: string;
    tx: string;
  }[];
}

export interface AppendixC {
  common: AppendixCCommon;
  tests: AppendixCTest[];
}

/** Appendix F test entry (the spec's JSON field names). */
export interface AppendixFTest {
  Name: string;
  htlc_indices: number[];
  LocalBalance: number;
  RemoteBalance: number;
  DustLimitSatoshis: number;
  FeePerKw: number;
  UseTestHtlcs: boolean;
  HtlcDescs: { RemoteSigHex: string; ResolutionTxHex: string }[];
  ExpectedCommitmentTxHex: string;
  RemoteSigHex: string;
}

export interface AppendixF {
  common_from_appendix_c: AppendixCCommon;
  tests: AppendixFTest[];
}

export function appendixC(): AppendixC {
  return loadVector('bolt03-commitment-txs.json') as AppendixC;
}

export function appendixF(): AppendixF {
  return loadVector('bolt03-commitment-txs-anchors.json') as AppendixF;
}

/** The private keys the vectors sign with. */
export function signingKeys(common: AppendixCCommon): {
  localFunding: Uint8Array;
  remoteFunding: Uint8Array;
  localHtlc: Uint8Array;
  remoteHtlc: Uint8Array;
} {
  const internal = common.internal_derivation_values;
  return {
    localFunding: privkey(common.local_funding_privkey),
    remoteFunding: privkey(internal.remote_funding_privkey!),
    localHtlc: privkey(common.local_privkey),
    remoteHtlc: privkey(internal.remote_privkey!),
  };
}

/** Signs what a signer would sign: the BIP 143 digest of `input`, RFC 6979 nonce. */
export function signSignable(input: SignableInput, secretKey: Uint8Array): Uint8Array {
  return nobleBackend.sign(sighashOfSignable(input), secretKey);
}
