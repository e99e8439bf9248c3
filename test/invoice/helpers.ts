// Shared helpers for the invoice tests: a fixed fast-check seed, the BOLT 11 example key, and
// a builder for signed invoices (valid or deliberately not) from a list of tagged fields.
import { bech32, hex } from '@scure/base';
import { expect } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { InvoiceError } from '../../src/invoice/errors.js';
import { encodeRawInvoice, type RawInvoice } from '../../src/invoice/invoice.js';
import { secretKeySigner, signingPreimage } from '../../src/invoice/signature.js';
import type { TaggedField } from '../../src/invoice/tagged-fields.js';
import { bytesToWords } from '../../src/invoice/words.js';
import { Features } from '../../src/wire/features.js';

/** Fixed seed so failures reproduce; `INVOICE_FC_SEED` pins another one. */
export const FC_SEED = Number(process.env.INVOICE_FC_SEED ?? 11);

/** The key every BOLT 11 example is signed with. */
export const SPEC_SECRET_KEY = hex.decode(
  'e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734',
);
export const SPEC_NODE_ID = hex.encode(nobleBackend.getPublicKey(SPEC_SECRET_KEY));
export const specSigner = secretKeySigner(SPEC_SECRET_KEY);

export const PAYMENT_HASH = '0001020304050607080900010203040506070809000102030405060708090102';
export const PAYMENT_SECRET = '11'.repeat(32);
/** var_onion_optin and payment_secret required, as the spec examples set them. */
export const EXAMPLE_FEATURES = Features.fromBits([8, 14]);

/** The tagged fields of a minimal valid invoice. */
export function baseFields(): TaggedField[] {
  return [
    { type: 'paymentHash', paymentHash: PAYMENT_HASH },
    { type: 'paymentSecret', paymentSecret: PAYMENT_SECRET },
    { type: 'description', description: 'coffee' },
    { type: 'features', features: EXAMPLE_FEATURES },
  ];
}

/** A signed invoice with exactly these fields (signed by the spec key). */
export function signed(
  taggedFields: readonly TaggedField[],
  raw: Partial<RawInvoice> = {},
): string {
  return encodeRawInvoice(
    { network: 'bitcoin', timestamp: 1_496_314_658, ...raw, taggedFields },
    specSigner,
  );
}

/** Runs `fn` and returns the reason of the InvoiceError it must throw. */
export function invoiceReason(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof InvoiceError)) throw e;
    expect(e.code).toBe('InvalidInvoice');
    return e.reason;
  }
  throw new Error('expected an InvoiceError');
}

/**
 * Signs arbitrary data words (timestamp and fields, possibly malformed) under `hrp` with the
 * spec key, appending `recoveryIdOverride` in place of the real recovery id when given.
 */
export function signWords(
  hrp: string,
  words: readonly number[],
  recoveryIdOverride?: number,
): string {
  const { signature, recoveryId } = specSigner(signingPreimage(hrp, words));
  const sig65 = new Uint8Array(65);
  sig65.set(signature);
  sig65[64] = recoveryIdOverride ?? recoveryId;
  return bech32.encode(hrp, [...words, ...bytesToWords(sig65)], false);
}

/** The 7 timestamp words of the spec examples (1496314658). */
export const TIMESTAMP_WORDS = [1, 12, 18, 31, 28, 25, 2];
