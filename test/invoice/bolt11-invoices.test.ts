// BOLT 11 test vectors: every example invoice of "Examples" and "Examples of Invalid Invoices"
// (bolts commit a3772650), decoded in test/vectors/bolt11-invoices.json. Valid ones must decode
// to the listed fields and, signed again with the spec's private key, reproduce the exact string;
// invalid ones must fail with an InvoiceError whose reason is the vector's category.
import { readFileSync } from 'node:fs';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { InvoiceError } from '../../src/invoice/errors.js';
import { decodeInvoice, descriptionMatches, encodeRawInvoice } from '../../src/invoice/invoice.js';
import type { Network } from '../../src/invoice/network.js';
import { isLowS, secretKeySigner } from '../../src/invoice/signature.js';
import { createNodeCryptoBackend } from '../../src/node/crypto-backend.js';
import { formatShortChannelId } from '../../src/wire/short-channel-id.js';

interface ValidVector {
  name: string;
  invoice: string;
  network: 'mainnet' | 'testnet';
  amount_msat: number | null;
  timestamp: number;
  payment_hash: string;
  payment_secret: string;
  description?: string;
  description_hash?: string;
  description_hash_preimage?: string;
  expiry_seconds?: number;
  min_final_cltv_expiry_delta?: number;
  fallback_addresses?: { version: number; program: string; type: string; address: string }[];
  route_hints?: {
    pubkey: string;
    short_channel_id: string;
    fee_base_msat: number;
    fee_proportional_millionths: number;
    cltv_expiry_delta: number;
  }[][];
  features: { bits: number[] };
  metadata?: string;
  ignored_fields?: { tag: string; data_length: number; fallback_version?: number }[];
  signature: string;
  recovery_flag: number;
  signature_is_low_s: boolean;
  signing_data?: string;
  signing_hash: string;
  payee_node_id: string | null;
  recovered_with_transmitted_recovery_flag?: string;
}

interface InvalidVector {
  name: string;
  invoice: string;
  reason: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../vectors/bolt11-invoices.json', import.meta.url), 'utf8'),
) as { priv_key: string; signer_node_id: string; valid: ValidVector[]; invalid: InvalidVector[] };

const NETWORK: Record<ValidVector['network'], Network> = { mainnet: 'bitcoin', testnet: 'testnet' };
const signer = secretKeySigner(hex.decode(vectors.priv_key));

function expectInvoiceError(fn: () => unknown): InvoiceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvoiceError);
    expect((e as InvoiceError).code).toBe('InvalidInvoice');
    return e as InvoiceError;
  }
  throw new Error('expected an InvoiceError');
}

describe('BOLT 11 valid examples', () => {
  it('has the 16 valid and 10 invalid examples', () => {
    expect(vectors.valid).toHaveLength(16);
    expect(vectors.invalid).toHaveLength(10);
  });

  for (const v of vectors.valid) {
    it(`decodes: ${v.name}`, () => {
      const inv = decodeInvoice(v.invoice);
      expect(inv.network).toBe(NETWORK[v.network]);
      expect(inv.amountMsat).toBe(v.amount_msat === null ? undefined : BigInt(v.amount_msat));
      expect(inv.timestamp).toBe(v.timestamp);
      expect(inv.paymentHash).toBe(v.payment_hash);
      expect(inv.paymentSecret).toBe(v.payment_secret);
      expect(inv.description).toBe(v.description);
      expect(inv.descriptionHash).toBe(v.description_hash);
      expect(inv.expirySecs).toBe(v.expiry_seconds ?? 3600);
      expect(inv.minFinalCltvExpiryDelta).toBe(v.min_final_cltv_expiry_delta ?? 18);
      expect(
        inv.fallbacks.map((f) => ({
          version: f.version,
          program: hex.encode(f.program),
          type: f.type,
          address: f.address,
        })),
      ).toEqual(v.fallback_addresses ?? []);
      expect(
        inv.routeHints.map((route) =>
          route.map((hop) => ({
            pubkey: hop.pubkey,
            short_channel_id: formatShortChannelId(hop.shortChannelId),
            fee_base_msat: hop.feeBaseMsat,
            fee_proportional_millionths: hop.feeProportionalMillionths,
            cltv_expiry_delta: hop.cltvExpiryDelta,
          })),
        ),
      ).toEqual(v.route_hints ?? []);
      expect(inv.features.bits()).toEqual(v.features.bits);
      expect(inv.paymentMetadata === undefined ? undefined : hex.encode(inv.paymentMetadata)).toBe(
        v.metadata,
      );
      expect(
        inv.ignoredFields.map((f) => ({
          tag: f.tag,
          data_length: f.words.length,
          ...(f.reason === 'unknown_fallback_version' ? { fallback_version: f.words[0] } : {}),
        })),
      ).toEqual(v.ignored_fields ?? []);
      expect(hex.encode(inv.signature.signature)).toBe(v.signature);
      expect(inv.signature.recoveryId).toBe(v.recovery_flag);
      expect(isLowS(inv.signature.signature)).toBe(v.signature_is_low_s);
      if (v.signing_data !== undefined) expect(hex.encode(inv.signedData)).toBe(v.signing_data);
      expect(hex.encode(inv.signingHash)).toBe(v.signing_hash);
      expect(inv.payeeNodeIdFrom).toBe('signature_recovery');
      // The high-S example names no payee; recovery as libsecp256k1 does it (BOLT 11 "accept
      // both high-S and low-S") gives the key the signature as written commits to.
      expect(inv.payeeNodeId).toBe(v.payee_node_id ?? v.recovered_with_transmitted_recovery_flag);
    });
  }

  const lowS = vectors.valid.filter((v) => v.signature_is_low_s);
  it(`re-encodes all ${lowS.length} low-S examples byte for byte with the spec's key (RFC 6979)`, () => {
    for (const v of lowS) {
      const again = encodeRawInvoice(decodeInvoice(v.invoice), signer);
      expect(again).toBe(v.invoice.toLowerCase());
    }
  });

  it('re-signing the high-S example gives the first example (same data, low-S signature)', () => {
    const high = vectors.valid.find((v) => !v.signature_is_low_s)!;
    const again = encodeRawInvoice(decodeInvoice(high.invoice), signer);
    expect(again).toBe(vectors.valid[0]!.invoice);
    expect(decodeInvoice(again).payeeNodeId).toBe(vectors.signer_node_id);
  });

  it('the hashed-description examples commit to their listed preimage', () => {
    for (const v of vectors.valid.filter((x) => x.description_hash_preimage !== undefined)) {
      const inv = decodeInvoice(v.invoice);
      expect(descriptionMatches(inv, v.description_hash_preimage!)).toBe(true);
      expect(descriptionMatches(inv, `${v.description_hash_preimage!}.`)).toBe(false);
    }
  });
});

describe('BOLT 11 invalid examples', () => {
  for (const v of vectors.invalid) {
    it(`refuses (${v.reason}): ${v.name}`, () => {
      expect(expectInvoiceError(() => decodeInvoice(v.invoice)).reason).toBe(v.reason);
    });
  }
});

describe('BOLT 11 examples on the Node crypto backend', () => {
  const crypto = createNodeCryptoBackend();
  it(`decodes and refuses exactly as on noble (secp256k1 here: ${crypto.secp256k1})`, () => {
    for (const v of vectors.valid) {
      const inv = decodeInvoice(v.invoice, { crypto });
      expect(inv.payeeNodeId).toBe(v.payee_node_id ?? v.recovered_with_transmitted_recovery_flag);
      expect(
        encodeRawInvoice(inv, secretKeySigner(hex.decode(vectors.priv_key), crypto), { crypto }),
      ).toBe(encodeRawInvoice(inv, signer));
    }
    for (const v of vectors.invalid) {
      expect(expectInvoiceError(() => decodeInvoice(v.invoice, { crypto })).reason).toBe(v.reason);
    }
  });
});
