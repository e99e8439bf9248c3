/**
 * BOLT 11 invoices: decodes per second of a typical invoice (amount, description, expiry,
 * min_final_cltv_expiry_delta, one route hint, features, no `n` field, so every decode recovers
 * the payee key from the signature), and invoices encoded and signed per second. boltkit runs on
 * the noble backend, on the Node backend and with libsecp256k1-as-WASM (tiny-secp256k1) for the
 * curve work, as a browser host could plug in. In the same run: npm `bolt11` (secp256k1 npm
 * package: native libsecp256k1 when built, else elliptic) and LDK 0.1's parser compiled to WASM
 * (`Bolt11Invoice.constructor_from_str`, which also recovers the payee key).
 */
import { createRequire } from 'node:module';
import { hex } from '@scure/base';
import * as bolt11 from 'bolt11';
import * as tiny from 'tiny-secp256k1';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { decodeInvoice, encodeInvoice, type InvoiceFields } from '../src/invoice/invoice.js';
import { secretKeySigner } from '../src/invoice/signature.js';
import { createNodeCryptoBackend } from '../src/node/crypto-backend.js';
import { Features } from '../src/wire/features.js';
import { loadLdk } from '../test/interop/ldk/load.js';
import { measureSync, type BenchResult } from './harness.js';

const GROUP = 'BOLT 11 invoices';
const SECRET_KEY = hex.decode('e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734');

/** What a wallet typically sees: LDK-style fields with one private route hint. */
const FIELDS: InvoiceFields = {
  network: 'bitcoin',
  amountMsat: 967_878_534n,
  timestamp: 1_572_468_703,
  paymentHash: '462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f',
  paymentSecret: '11'.repeat(32),
  description: 'Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1',
  expirySecs: 3600,
  minFinalCltvExpiryDelta: 144,
  routeHints: [
    [
      {
        pubkey: '03d06758583bb5154774a6eb221b1276c9e82d65bbaceca806d90e20c108f4b1c7',
        shortChannelId: 0x08fe4e000cf00001n,
        feeBaseMsat: 1000,
        feeProportionalMillionths: 2500,
        cltvExpiryDelta: 40,
      },
    ],
  ],
  features: Features.fromBits([8, 14, 17]),
};

/** noble hashes with libsecp256k1-as-WASM signing and recovery. */
const tinyBackend: CryptoBackend = {
  ...nobleBackend,
  name: 'noble + tiny-secp256k1 (WASM)',
  isValidPublicKey: (pk) =>
    pk instanceof Uint8Array && (pk.length === 33 || pk.length === 65) && tiny.isPoint(pk),
  signRecoverable: (digest, sk) => {
    const r = tiny.signRecoverable(digest, sk);
    return { signature: r.signature, recoveryId: r.recoveryId };
  },
  recoverPublicKey: (sig, recoveryId, digest) => {
    const pk = tiny.recover(digest, sig, recoveryId as 0 | 1 | 2 | 3, true);
    if (pk === null) throw new Error('no key recovers');
    return pk;
  },
};

function bolt11Secp(): string {
  try {
    createRequire(import.meta.url)('secp256k1/bindings');
    return 'native libsecp256k1';
  } catch {
    return 'elliptic';
  }
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const node = createNodeCryptoBackend();
  const backends: [string, CryptoBackend][] = [
    ['boltkit (noble)', nobleBackend],
    [`boltkit (node, ${node.secp256k1})`, node],
    ['boltkit (tiny-secp256k1 WASM)', tinyBackend],
  ];
  const text = encodeInvoice(FIELDS, secretKeySigner(SECRET_KEY));
  const payee = hex.encode(nobleBackend.getPublicKey(SECRET_KEY));

  for (const [impl, crypto] of backends) {
    if (decodeInvoice(text, { crypto }).payeeNodeId !== payee)
      throw new Error(`${impl}: wrong payee`);
    results.push({
      group: GROUP,
      name: 'decode (with payee key recovery)',
      impl,
      opsPerSec: measureSync(() => decodeInvoice(text, { crypto })),
    });
  }

  const theirs = bolt11.decode(text);
  if (theirs.payeeNodeKey !== payee) throw new Error('bolt11: wrong payee');
  results.push({
    group: GROUP,
    name: 'decode (with payee key recovery)',
    impl: 'npm bolt11 1.4',
    opsPerSec: measureSync(() => bolt11.decode(text)),
    note: `secp256k1 npm package on ${bolt11Secp()}`,
  });

  const ldk = await loadLdk();
  const ldkDecode = (): void => {
    const r = ldk.Bolt11Invoice.constructor_from_str(text);
    if (!r.is_ok()) throw new Error('LDK refused the invoice');
  };
  const parsed = ldk.Bolt11Invoice.constructor_from_str(text);
  if (!(parsed instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_OK)) {
    throw new Error('LDK refused the invoice');
  }
  if (hex.encode(parsed.res.recover_payee_pub_key()) !== payee) throw new Error('LDK: wrong payee');
  results.push({
    group: GROUP,
    name: 'decode (with payee key recovery)',
    impl: 'LDK 0.1 WASM',
    opsPerSec: measureSync(ldkDecode),
  });

  for (const [impl, crypto] of backends) {
    const signer = secretKeySigner(SECRET_KEY, crypto);
    results.push({
      group: GROUP,
      name: 'encode and sign',
      impl,
      opsPerSec: measureSync(() => encodeInvoice(FIELDS, signer, { crypto })),
    });
  }
  const { signature: _sig, payeeNodeKey: _payee, ...unsigned } = bolt11.decode(text);
  const bolt11Key = hex.encode(SECRET_KEY);
  results.push({
    group: GROUP,
    name: 'encode and sign',
    impl: 'npm bolt11 1.4',
    opsPerSec: measureSync(() => bolt11.sign(bolt11.encode(unsigned, false), bolt11Key)),
    note: `secp256k1 npm package on ${bolt11Secp()}`,
  });
  return results;
}
