/**
 * Commitment signing: what answering with `commitment_signed` costs. One operation derives the
 * counterparty commitment's keys from their per-commitment point, builds the commitment and all
 * of its HTLC transactions, and signs the commitment (funding key) and every HTLC transaction
 * (our HTLC key derived for that point), each over its BIP 143 sighash: 1 + n signatures for n
 * untrimmed HTLCs. The receiving side's cost is measured too (the same build, then 1 + n
 * verifications).
 *
 * Underneath, the secp256k1 operations per second on noble (pure JS, the core default),
 * tiny-secp256k1 (libsecp256k1 compiled to WASM, what a browser host could plug in) and the
 * native `secp256k1` addon (libsecp256k1, used by the `boltkit/node` backend when it loads), and
 * a profile of where the time goes: the share spent inside `sign`, inside all curve operations,
 * and in hashing, so we know whether a faster backend pays off.
 */
import { createRequire } from 'node:module';
import * as tiny from 'tiny-secp256k1';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { derivePrivateKey } from '../src/keys/key-derivation.js';
import { createNodeCryptoBackend } from '../src/node/crypto-backend.js';
import { ChannelType } from '../src/tx/channel-type.js';
import {
  buildCommitmentTransaction,
  commitmentSignableInput,
  type CommitmentHtlc,
  type CommitmentParams,
} from '../src/tx/commitment.js';
import { deriveCommitmentKeys } from '../src/tx/commitment-keys.js';
import { buildHtlcTransactions, htlcSignableInput } from '../src/tx/htlc-tx.js';
import { sighashOfSignable } from '../src/tx/sighash.js';
import { measureSync, type BenchResult } from './harness.js';

const GROUP_COMMIT = 'BOLT 3 commitment_signed (anchors channel)';
const GROUP_SECP = 'secp256k1 operations';
const GROUP_PROFILE = 'Where commitment signing time goes (noble)';
const HTLC_COUNTS = [0, 10, 483];

const secret = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);

/** Fixed keys: our basepoint secrets and the counterparty's basepoints. */
const ours = {
  funding: secret(0x11),
  revocation: secret(0x12),
  payment: secret(0x13),
  delayed: secret(0x14),
  htlc: secret(0x15),
};
const theirs = {
  funding: secret(0x21),
  revocation: secret(0x22),
  payment: secret(0x23),
  delayed: secret(0x24),
  htlc: secret(0x25),
};
const theirPerCommitmentPoint = nobleBackend.getPublicKey(secret(0x31));

function basepoints(keys: typeof ours) {
  const pub = (sk: Uint8Array) => nobleBackend.getPublicKey(sk);
  return {
    fundingPubkey: pub(keys.funding),
    revocationBasepoint: pub(keys.revocation),
    paymentBasepoint: pub(keys.payment),
    delayedPaymentBasepoint: pub(keys.delayed),
    htlcBasepoint: pub(keys.htlc),
  };
}
const ourBasepoints = basepoints(ours);
const theirBasepoints = basepoints(theirs);

function htlcs(count: number): CommitmentHtlc[] {
  const out: CommitmentHtlc[] = [];
  for (let i = 0; i < count; i++) {
    const paymentHash = new Uint8Array(32);
    paymentHash[0] = i & 0xff;
    paymentHash[1] = i >> 8;
    // Alternate directions, and stay within 483 per direction.
    out.push({
      offered: i % 2 === 0,
      amountMsat: 50_000_000n + BigInt(i) * 1000n,
      paymentHash,
      cltvExpiry: 800_000 + i,
    });
  }
  return out;
}

/** The counterparty's commitment (they broadcast it, we sign it), with `count` HTLCs. */
function paramsWithHtlcs(
  count: number,
  crypto: CryptoBackend,
): Omit<CommitmentParams, 'keys'> & {
  keysFor: () => CommitmentParams['keys'];
} {
  const list = htlcs(count);
  const fundingValueSat = 100_000_000n;
  const inHtlcsMsat = list.reduce((s, h) => s + h.amountMsat, 0n);
  return {
    fundingOutpoint: { txid: new Uint8Array(32).fill(0xab), vout: 0 },
    fundingValueSat,
    commitmentNumber: 1000,
    openerPaymentBasepoint: ourBasepoints.paymentBasepoint,
    accepterPaymentBasepoint: theirBasepoints.paymentBasepoint,
    toSelfDelay: 144,
    dustLimitSat: 354n,
    feerateSatPerKw: 2500,
    channelType: ChannelType.AnchorsZeroFeeHtlcTx,
    // We opened the channel; on their commitment we are the remote side.
    funder: 'remote',
    toLocalMsat: 40_000_000_000n,
    toRemoteMsat: fundingValueSat * 1000n - 40_000_000_000n - inHtlcsMsat,
    htlcs: list,
    keysFor: () =>
      deriveCommitmentKeys(
        {
          broadcaster: theirBasepoints,
          countersignatory: ourBasepoints,
          perCommitmentPoint: theirPerCommitmentPoint,
        },
        crypto,
      ),
  };
}

/** One `commitment_signed`: derive keys, build everything, sign 1 + n times. */
function signCounterpartyCommitment(count: number, crypto: CryptoBackend): Uint8Array[] {
  const { keysFor, ...rest } = paramsWithHtlcs(count, crypto);
  const commitment = buildCommitmentTransaction({ ...rest, keys: keysFor() }, crypto);
  const htlcTxs = buildHtlcTransactions(commitment, crypto);
  const sigs = [
    crypto.sign(sighashOfSignable(commitmentSignableInput(commitment), crypto), ours.funding),
  ];
  const htlcKey = derivePrivateKey(ours.htlc, theirPerCommitmentPoint, crypto);
  for (const h of htlcTxs) {
    sigs.push(crypto.sign(sighashOfSignable(htlcSignableInput(h, 'remote'), crypto), htlcKey));
  }
  return sigs;
}

/** The receiving side: rebuild everything and verify 1 + n signatures. */
function verifyCommitmentSigned(count: number, sigs: Uint8Array[], crypto: CryptoBackend): boolean {
  const { keysFor, ...rest } = paramsWithHtlcs(count, crypto);
  const commitment = buildCommitmentTransaction({ ...rest, keys: keysFor() }, crypto);
  const htlcTxs = buildHtlcTransactions(commitment, crypto);
  let ok = crypto.verify(
    sigs[0]!,
    sighashOfSignable(commitmentSignableInput(commitment), crypto),
    ourBasepoints.fundingPubkey,
  );
  const htlcPubkey = commitment.params.keys.remoteHtlcPubkey;
  htlcTxs.forEach((h, i) => {
    ok &&= crypto.verify(
      sigs[i + 1]!,
      sighashOfSignable(htlcSignableInput(h, 'remote'), crypto),
      htlcPubkey,
    );
  });
  return ok;
}

/** noble hashes with libsecp256k1-as-WASM curve operations, as a browser host might plug in. */
const tinyBackend: CryptoBackend = {
  ...nobleBackend,
  name: 'noble + tiny-secp256k1 (WASM)',
  isValidPublicKey: (pk) =>
    pk instanceof Uint8Array && (pk.length === 33 || pk.length === 65) && tiny.isPoint(pk),
  getPublicKey: (sk) => tiny.pointFromScalar(sk, true)!,
  pointAdd: (a, b) => tiny.pointAdd(a, b, true)!,
  pointMultiply: (p, t) => tiny.pointMultiply(p, t, true)!,
  privateAdd: (sk, t) => tiny.privateAdd(sk, t)!,
  sign: (digest, sk) => tiny.sign(digest, sk),
  verify: (sig, digest, pk) => {
    try {
      return tiny.verify(digest, pk, sig, true);
    } catch {
      return false;
    }
  },
};

interface NativeSecp {
  ecdsaSign(digest: Uint8Array, sk: Uint8Array): { signature: Uint8Array };
  ecdsaVerify(sig: Uint8Array, digest: Uint8Array, pk: Uint8Array): boolean;
  publicKeyTweakMul(pk: Uint8Array, tweak: Uint8Array, compressed: boolean): Uint8Array;
}

function loadNativeSecp(): NativeSecp | undefined {
  try {
    // The addon's `bindings` entry fails to load instead of falling back to pure JS.
    return createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp;
  } catch {
    return undefined;
  }
}

/** A backend that records the time spent in each method, to profile the signing path. */
function profiled(inner: CryptoBackend): { backend: CryptoBackend; totals: Map<string, number> } {
  const totals = new Map<string, number>();
  const wrapped: Record<string, unknown> = { name: inner.name };
  for (const [key, value] of Object.entries(inner)) {
    if (typeof value !== 'function') continue;
    const fn = value as (...args: unknown[]) => unknown;
    wrapped[key] = (...args: unknown[]) => {
      const t0 = performance.now();
      try {
        return fn(...args);
      } finally {
        totals.set(key, (totals.get(key) ?? 0) + performance.now() - t0);
      }
    };
  }
  return { backend: wrapped as unknown as CryptoBackend, totals };
}

const CURVE_OPS = new Set([
  'sign',
  'verify',
  'isValidPublicKey',
  'getPublicKey',
  'pointAdd',
  'pointMultiply',
  'privateAdd',
  'privateMultiply',
]);
const HASH_OPS = new Set(['sha256', 'hash160', 'ripemd160', 'hmacSha256']);

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const native = loadNativeSecp();
  const nodeBackend = createNodeCryptoBackend();
  const backends: CryptoBackend[] = [nobleBackend, tinyBackend];
  if (nodeBackend.secp256k1 === 'libsecp256k1-native') backends.push(nodeBackend);

  // Every backend must produce the noble signatures (RFC 6979), or the comparison is void.
  const reference = signCounterpartyCommitment(10, nobleBackend);
  for (const b of backends) {
    const sigs = signCounterpartyCommitment(10, b);
    if (sigs.some((s, i) => s.length !== 64 || !s.every((x, j) => x === reference[i]![j]))) {
      throw new Error(`${b.name} signs differently from noble`);
    }
    if (!verifyCommitmentSigned(10, sigs, b))
      throw new Error(`${b.name} rejects its own signatures`);
    // Warm the JIT on every path before anything is timed.
    for (let i = 0; i < 3; i++) verifyCommitmentSigned(10, signCounterpartyCommitment(10, b), b);
  }

  for (const count of HTLC_COUNTS) {
    const ms = count > 100 ? 3000 : 1500;
    for (const b of backends) {
      const impl = b === nodeBackend ? 'boltkit (node: openssl + native)' : `boltkit (${b.name})`;
      const signOps = measureSync(
        () => signCounterpartyCommitment(count, b),
        ms,
        count > 100 ? 0 : 200,
      );
      results.push({
        group: GROUP_COMMIT,
        name: `sign commitment + ${count} HTLC txs (${count + 1} sigs)`,
        impl,
        opsPerSec: signOps,
        note: `${((1000 / signOps) | 0).toString()} ms each`,
      });
      const sigs = signCounterpartyCommitment(count, b);
      const verifyOps = measureSync(
        () => verifyCommitmentSigned(count, sigs, b),
        ms,
        count > 100 ? 0 : 200,
      );
      results.push({
        group: GROUP_COMMIT,
        name: `verify commitment + ${count} HTLC sigs`,
        impl,
        opsPerSec: verifyOps,
        note: `${((1000 / verifyOps) | 0).toString()} ms each`,
      });
    }
  }

  // Raw curve operations.
  const digest = nobleBackend.sha256(new TextEncoder().encode('boltkit'));
  const sk = ours.htlc;
  const pk = nobleBackend.getPublicKey(sk);
  const sig = nobleBackend.sign(digest, sk);
  const tweak = nobleBackend.sha256(pk);
  const secp: [string, string, () => unknown][] = [
    ['sign', 'noble (@noble/secp256k1)', () => nobleBackend.sign(digest, sk)],
    ['verify', 'noble (@noble/secp256k1)', () => nobleBackend.verify(sig, digest, pk)],
    ['point multiply', 'noble (@noble/secp256k1)', () => nobleBackend.pointMultiply(pk, tweak)],
    ['sign', 'tiny-secp256k1 (WASM)', () => tiny.sign(digest, sk)],
    ['verify', 'tiny-secp256k1 (WASM)', () => tiny.verify(digest, pk, sig)],
    ['point multiply', 'tiny-secp256k1 (WASM)', () => tiny.pointMultiply(pk, tweak, true)],
  ];
  if (native !== undefined) {
    secp.push(
      ['sign', 'secp256k1 (native addon)', () => native.ecdsaSign(digest, sk)],
      ['verify', 'secp256k1 (native addon)', () => native.ecdsaVerify(sig, digest, pk)],
      [
        'point multiply',
        'secp256k1 (native addon)',
        () => native.publicKeyTweakMul(pk, tweak, true),
      ],
    );
  }
  for (const [name, impl, fn] of secp) {
    results.push({ group: GROUP_SECP, name, impl, opsPerSec: measureSync(fn, 1000) });
  }
  if (native === undefined) {
    results.push({
      group: GROUP_SECP,
      name: 'native addon',
      impl: 'secp256k1',
      note: 'did not load',
    });
  }

  // Profile on noble: share of wall time inside the backend's methods.
  for (const count of HTLC_COUNTS) {
    const { backend, totals } = profiled(nobleBackend);
    const rounds = count > 100 ? 2 : 20;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) signCounterpartyCommitment(count, backend);
    const total = performance.now() - t0;
    const sum = (keys: Set<string> | string[]) =>
      [...keys].reduce((s, k) => s + (totals.get(k) ?? 0), 0);
    const share = (part: number) => (100 * part) / total;
    const label = `${count} HTLCs`;
    results.push(
      {
        group: GROUP_PROFILE,
        name: `${label}: in backend.sign`,
        impl: 'boltkit (noble)',
        value: share(sum(['sign'])),
        unit: '% of time',
      },
      {
        group: GROUP_PROFILE,
        name: `${label}: in all secp256k1 operations`,
        impl: 'boltkit (noble)',
        value: share(sum(CURVE_OPS)),
        unit: '% of time',
        note: 'sign, key derivation and validation',
      },
      {
        group: GROUP_PROFILE,
        name: `${label}: in hashing`,
        impl: 'boltkit (noble)',
        value: share(sum(HASH_OPS)),
        unit: '% of time',
        note: 'sighashes, txid, scripts',
      },
      {
        group: GROUP_PROFILE,
        name: `${label}: in pointMultiply`,
        impl: 'boltkit (noble)',
        value: share(sum(['pointMultiply'])),
        unit: '% of time',
        note: 'revocation key derivation',
      },
      {
        group: GROUP_PROFILE,
        name: `${label}: in isValidPublicKey`,
        impl: 'boltkit (noble)',
        value: share(sum(['isValidPublicKey'])),
        unit: '% of time',
        note: 'key checks',
      },
    );
  }
  return results;
}
