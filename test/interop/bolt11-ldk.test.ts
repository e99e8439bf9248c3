/**
 * BOLT 11 interop with LDK 0.1 (npm `lightningdevkit`, WASM): invoices boltkit writes parse in
 * LDK's parser (`Bolt11Invoice.constructor_from_str`) to the same fields and serialize back to
 * the same string; invoices an LDK node creates (`ChannelManager.create_bolt11_invoice`) decode
 * in boltkit to the fields LDK reports and re-encode byte for byte; and both parsers agree on
 * every BOLT 11 example, valid and invalid. No sockets: everything runs in one process.
 */
import { readFileSync } from 'node:fs';
import { hex } from '@scure/base';
import fc from 'fast-check';
import type { Bolt11Invoice } from 'lightningdevkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import {
  decodeInvoice,
  encodeInvoice,
  encodeRawInvoice,
  type Invoice,
  type InvoiceFields,
} from '../../src/invoice/invoice.js';
import type { Network } from '../../src/invoice/network.js';
import type { RouteHintHop } from '../../src/invoice/route-hints.js';
import { secretKeySigner } from '../../src/invoice/signature.js';
import { Features } from '../../src/wire/features.js';
import { featureBitsFromLeFlags } from './ldk/custom-messages.js';
import { LdkNode } from './ldk/ldk-node.js';
import { ldkBool, loadLdk, type Ldk } from './ldk/load.js';

const FC_SEED = Number(process.env.INVOICE_FC_SEED ?? 11);
const crypto = nobleBackend;
const signerKey = new Uint8Array(32).fill(0x42);
const signer = secretKeySigner(signerKey);
const signerNodeId = hex.encode(crypto.getPublicKey(signerKey));

let ldk: Ldk;
let node: LdkNode;

beforeAll(async () => {
  ldk = await loadLdk();
  node = await LdkNode.start({ seed: 31, name: 'ldk-invoices' });
});

afterAll(async () => {
  await node.stop();
});

function parseWithLdk(text: string): Bolt11Invoice | string {
  const r = ldk.Bolt11Invoice.constructor_from_str(text);
  if (r instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_OK) return r.res;
  return r instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_Err
    ? r.err.constructor.name
    : 'error';
}

function ldkInvoice(text: string): Bolt11Invoice {
  const r = parseWithLdk(text);
  if (typeof r === 'string') throw new Error(`LDK refused ${text}: ${r}`);
  return r;
}

/** Nullable objects cross the WASM boundary as objects whose pointer is 0. */
function present<T>(o: T | null): T | undefined {
  return o === null || (o as { ptr?: unknown }).ptr === 0n ? undefined : o;
}

function optionU64(o: unknown): bigint | undefined {
  return o instanceof ldk.Option_u64Z_Some ? o.some : undefined;
}

const CURRENCY: Record<Network, number> = {
  bitcoin: 0,
  testnet: 1,
  regtest: 2,
  signet: 4,
};

/** Every field LDK exposes, read back the way boltkit represents it. */
function ldkView(inv: Bolt11Invoice) {
  const raw = inv.into_signed_raw().raw_invoice();
  const description = present(raw.description());
  const features = present(inv.features());
  const metadata = inv.payment_metadata();
  const n = inv.payee_pub_key();
  return {
    network: inv.currency(),
    amountMsat: optionU64(inv.amount_milli_satoshis()),
    timestamp: inv.duration_since_epoch(),
    paymentHash: hex.encode(inv.payment_hash()),
    paymentSecret: hex.encode(inv.payment_secret()),
    description: description?.into_inner().get_a(),
    descriptionHash: present(raw.description_hash()),
    payeeNodeId: hex.encode(inv.get_payee_pub_key()),
    hasN: n !== null && n.some((b) => b !== 0),
    expirySecs: inv.expiry_time(),
    minFinalCltvExpiryDelta: inv.min_final_cltv_expiry_delta(),
    fallbacks: inv.fallback_addresses(),
    routeHints: inv.route_hints().map((r) =>
      r.get_a().map((h): RouteHintHop => ({
        pubkey: hex.encode(h.get_src_node_id()),
        shortChannelId: BigInt.asUintN(64, h.get_short_channel_id()),
        feeBaseMsat: h.get_fees().get_base_msat() >>> 0,
        feeProportionalMillionths: h.get_fees().get_proportional_millionths() >>> 0,
        cltvExpiryDelta: h.get_cltv_expiry_delta() & 0xffff,
      })),
    ),
    featureBits: features === undefined ? [] : featureBitsFromLeFlags(features.le_flags()),
    paymentMetadata: metadata instanceof ldk.Option_CVec_u8ZZ_Some ? metadata.some : undefined,
  };
}

function expectSameFields(ours: Invoice, theirs: Bolt11Invoice): void {
  const v = ldkView(theirs);
  expect(v.network).toBe(CURRENCY[ours.network]);
  expect(v.amountMsat).toBe(ours.amountMsat);
  expect(v.timestamp).toBe(BigInt(ours.timestamp));
  expect(v.paymentHash).toBe(ours.paymentHash);
  expect(v.paymentSecret).toBe(ours.paymentSecret);
  expect(v.description).toBe(ours.description);
  if (ours.descriptionHash === undefined) {
    expect(v.descriptionHash).toBeUndefined();
  } else {
    const expected = ldk.Sha256.constructor_from_bytes(hex.decode(ours.descriptionHash));
    expect(ldkBool(v.descriptionHash?.eq(expected))).toBe(true);
  }
  expect(v.payeeNodeId).toBe(ours.payeeNodeId);
  expect(v.hasN).toBe(ours.payeeNodeIdFrom === 'n_field');
  expect(v.expirySecs).toBe(BigInt(ours.expirySecs));
  expect(v.minFinalCltvExpiryDelta).toBe(BigInt(ours.minFinalCltvExpiryDelta));
  expect(v.fallbacks).toEqual(ours.fallbacks.map((f) => f.address));
  expect(v.routeHints).toEqual(ours.routeHints);
  expect(v.featureBits).toEqual(ours.features.bits());
  expect(v.paymentMetadata).toEqual(ours.paymentMetadata);
}

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hex.encode(b));
const nodeId = fc.integer({ min: 1, max: 0xffff }).map((i) => {
  const secret = new Uint8Array(32);
  secret[30] = i >> 8;
  secret[31] = i & 0xff;
  return hex.encode(crypto.getPublicKey(secret));
});
const hop: fc.Arbitrary<RouteHintHop> = fc.record({
  pubkey: nodeId,
  shortChannelId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  feeBaseMsat: fc.nat({ max: 0xffffffff }),
  feeProportionalMillionths: fc.nat({ max: 0xffffffff }),
  cltvExpiryDelta: fc.nat({ max: 0xffff }),
});
const fallback = fc.oneof(
  fc.record({ version: fc.constant(0), program: fc.uint8Array({ minLength: 20, maxLength: 20 }) }),
  fc.record({ version: fc.constant(0), program: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({ version: fc.constant(1), program: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({
    version: fc.constantFrom(17, 18),
    program: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  }),
);
/**
 * Fields LDK accepts: it requires the payment_secret feature, and it holds the amount in
 * picobitcoin as a u64, so amounts stay below 2^64 / 10 msat (boltkit takes up to 2^64 - 1).
 */
const ldkCompatibleFields: fc.Arbitrary<InvoiceFields> = fc
  .record(
    {
      network: fc.constantFrom<Network>('bitcoin', 'testnet', 'signet', 'regtest'),
      amountMsat: fc.bigInt({ min: 1n, max: (2n ** 64n - 1n) / 10n }),
      timestamp: fc.nat({ max: 2 ** 35 - 1 }),
      paymentHash: hex32,
      paymentSecret: hex32,
      description: fc.string({ unit: 'grapheme', maxLength: 40 }),
      descriptionHash: hex32,
      withN: fc.boolean(),
      expirySecs: fc.nat({ max: 2 ** 40 }),
      minFinalCltvExpiryDelta: fc.nat({ max: 0xffff }),
      fallbacks: fc.array(fallback, { maxLength: 2 }),
      routeHints: fc.array(fc.array(hop, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
      extraBits: fc.subarray([9, 17, 49, 101]),
      paymentMetadata: fc.uint8Array({ maxLength: 40 }),
      hashed: fc.boolean(),
    },
    {
      requiredKeys: [
        'network',
        'timestamp',
        'paymentHash',
        'paymentSecret',
        'description',
        'descriptionHash',
        'withN',
        'extraBits',
        'hashed',
      ],
    },
  )
  .map(({ hashed, description, descriptionHash, withN, extraBits, ...rest }) => ({
    ...rest,
    ...(hashed ? { descriptionHash } : { description }),
    ...(withN ? { payeeNodeId: signerNodeId } : {}),
    features: Features.fromBits([14, ...extraBits]),
  }));

describe('boltkit invoices in LDK', () => {
  it('a typical invoice parses to the same fields and serializes to the same string', () => {
    const text = encodeInvoice(
      {
        network: 'regtest',
        amountMsat: 250_000_000n,
        timestamp: 1_700_000_000,
        paymentHash: '00'.repeat(31) + '01',
        paymentSecret: '11'.repeat(32),
        description: 'boltkit to LDK',
        expirySecs: 7200,
        minFinalCltvExpiryDelta: 144,
        features: Features.fromBits([8, 14, 17]),
      },
      signer,
    );
    const theirs = ldkInvoice(text);
    expect(theirs.to_str()).toBe(text);
    expect(ldkBool(theirs.check_signature().is_ok())).toBe(true);
    expectSameFields(decodeInvoice(text), theirs);
  });

  it('random fields: LDK parses what boltkit writes, field for field', () => {
    fc.assert(
      fc.property(ldkCompatibleFields, (fields) => {
        const text = encodeInvoice(fields, signer);
        const theirs = ldkInvoice(text);
        expect(theirs.to_str()).toBe(text);
        const ours = decodeInvoice(text);
        expect(ours.payeeNodeId).toBe(signerNodeId);
        expectSameFields(ours, theirs);
      }),
      { seed: FC_SEED, numRuns: 40 },
    );
  });
  it('amounts of 2^64 / 10 msat and more: boltkit reads them, LDK 0.1 (u64 picobitcoin) cannot', () => {
    const fields: InvoiceFields = {
      network: 'bitcoin',
      amountMsat: 2n ** 64n - 1n,
      timestamp: 1_700_000_000,
      paymentHash: '22'.repeat(32),
      paymentSecret: '33'.repeat(32),
      description: 'too much',
      features: Features.fromBits([8, 14]),
    };
    const text = encodeInvoice(fields, signer);
    expect(decodeInvoice(text).amountMsat).toBe(2n ** 64n - 1n);
    expect(typeof parseWithLdk(text)).toBe('string');
    const largest = encodeInvoice({ ...fields, amountMsat: (2n ** 64n - 1n) / 10n }, signer);
    expect(ldkView(ldkInvoice(largest)).amountMsat).toBe((2n ** 64n - 1n) / 10n);
  });
});

describe('LDK invoices in boltkit', () => {
  function created(result: unknown): Bolt11Invoice {
    if (!(result instanceof ldk.Result_Bolt11InvoiceSignOrCreationErrorZ_OK)) {
      throw new Error(`LDK could not create the invoice\n${node.formatLog()}`);
    }
    return result.res;
  }

  it('an invoice with amount, description, expiry and CLTV delta', () => {
    const description = ldk.Description.constructor_new('LDK to boltkit: ナンセンス 1杯');
    if (!(description instanceof ldk.Result_DescriptionCreationErrorZ_OK)) throw new Error();
    const theirs = created(
      node.channelManager.create_bolt11_invoice(
        ldk.Option_u64Z.constructor_some(123_456_789n),
        ldk.Bolt11InvoiceDescription.constructor_direct(description.res),
        ldk.Option_u32Z.constructor_some(7200),
        ldk.Option_u16Z.constructor_some(144),
        ldk.Option_ThirtyTwoBytesZ.constructor_none(),
      ),
    );
    const text = theirs.to_str();
    const ours = decodeInvoice(text, { network: 'regtest' });
    expect(ours.payeeNodeId).toBe(node.nodeIdHex);
    expect(ours.amountMsat).toBe(123_456_789n);
    expect(ours.description).toBe('LDK to boltkit: ナンセンス 1杯');
    expect(ours.expirySecs).toBe(7200);
    expect(ours.ignoredFields).toEqual([]);
    expectSameFields(ours, theirs);
    // Re-encoding with LDK's own signature gives LDK's string back, byte for byte.
    expect(encodeRawInvoice(ours, () => ours.signature)).toBe(text);
  });

  it('an invoice with a description hash, no amount and a chosen payment hash', () => {
    const descriptionHash = crypto.sha256(new TextEncoder().encode('a long order'));
    const paymentHash = crypto.sha256(new Uint8Array(32).fill(5));
    const theirs = created(
      node.channelManager.create_bolt11_invoice(
        ldk.Option_u64Z.constructor_none(),
        ldk.Bolt11InvoiceDescription.constructor_hash(
          ldk.Sha256.constructor_from_bytes(descriptionHash),
        ),
        ldk.Option_u32Z.constructor_none(),
        ldk.Option_u16Z.constructor_none(),
        ldk.Option_ThirtyTwoBytesZ.constructor_some(paymentHash),
      ),
    );
    const text = theirs.to_str();
    const ours = decodeInvoice(text);
    expect(ours.amountMsat).toBeUndefined();
    expect(ours.descriptionHash).toBe(hex.encode(descriptionHash));
    expect(ours.paymentHash).toBe(hex.encode(paymentHash));
    expect(ours.payeeNodeId).toBe(node.nodeIdHex);
    expectSameFields(ours, theirs);
    expect(encodeRawInvoice(ours, () => ours.signature)).toBe(text);
  });
});

describe('both parsers on the BOLT 11 examples', () => {
  const vectors = JSON.parse(
    readFileSync(new URL('../vectors/bolt11-invoices.json', import.meta.url), 'utf8'),
  ) as { valid: { name: string; invoice: string }[]; invalid: { name: string; invoice: string }[] };

  it('agree on every field of the 15 low-S valid examples', () => {
    const lowS = vectors.valid.filter((v) => !v.name.includes('high-S'));
    expect(lowS).toHaveLength(15);
    for (const v of lowS) expectSameFields(decodeInvoice(v.invoice), ldkInvoice(v.invoice));
  });

  it('LDK 0.1 still refuses the high-S recovery example that boltkit accepts', () => {
    // BOLT 11 (since bolts commit 84bb320, 2025) says to accept high-S when recovering the
    // key; LDK 0.1 predates that and checks the recovered key with a low-S-only verify.
    const high = vectors.valid.find((v) => v.name.includes('high-S'))!;
    expect(decodeInvoice(high.invoice).payeeNodeIdFrom).toBe('signature_recovery');
    const r = ldk.Bolt11Invoice.constructor_from_str(high.invoice);
    if (
      !(r instanceof ldk.Result_Bolt11InvoiceParseOrSemanticErrorZ_Err) ||
      !(r.err instanceof ldk.ParseOrSemanticError_SemanticError)
    ) {
      throw new Error('expected LDK to refuse with a semantic error');
    }
    expect(r.err.semantic_error).toBe(
      ldk.Bolt11SemanticError.LDKBolt11SemanticError_InvalidSignature,
    );
  });

  it('both refuse the 10 invalid examples', () => {
    for (const v of vectors.invalid) {
      expect(() => decodeInvoice(v.invoice)).toThrow(
        expect.objectContaining({ code: 'InvalidInvoice' }),
      );
      expect(typeof parseWithLdk(v.invoice), v.name).toBe('string');
    }
  });
});
