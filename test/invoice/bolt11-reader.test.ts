// BOLT 11 reader requirements beyond the spec examples, one rule per test: bech32 framing,
// network, mandatory fields, skipped fields, field content, feature bits and signatures. Each
// refusal is an InvoiceError with a stable reason; invoices are built and signed with the spec key
// so that only the rule under test is broken.
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import type { TaggedField } from '../../src/invoice/tagged-fields.js';
import { bytesToWords } from '../../src/invoice/words.js';
import { Features } from '../../src/wire/features.js';
import {
  baseFields,
  EXAMPLE_FEATURES,
  invoiceReason,
  PAYMENT_HASH,
  PAYMENT_SECRET,
  signed,
  signWords,
  SPEC_NODE_ID,
  TIMESTAMP_WORDS,
} from './helpers.js';

/** A field the encoder writes as given: tag letter and raw data words. */
function rawField(tag: string, words: readonly number[]): TaggedField {
  return { type: 'ignored', tag, words: [...words], reason: 'unknown_type' };
}

function without(type: TaggedField['type']): TaggedField[] {
  return baseFields().filter((f) => f.type !== type);
}

const OTHER_KEY = nobleBackend.getPublicKey(new Uint8Array(32).fill(7));

describe('bech32 framing', () => {
  const good = signed(baseFields());

  it('accepts the same invoice in upper case', () => {
    expect(decodeInvoice(good.toUpperCase()).paymentHash).toBe(PAYMENT_HASH);
  });

  it('refuses characters bech32 does not allow', () => {
    expect(invoiceReason(() => decodeInvoice(`${good} `))).toBe('invalid_character');
    expect(invoiceReason(() => decodeInvoice(`${good.slice(0, -1)}é`))).toBe('invalid_character');
    expect(invoiceReason(() => decodeInvoice(`${good.slice(0, 20)}b${good.slice(21)}`))).toBe(
      'invalid_character',
    );
    expect(invoiceReason(() => decodeInvoice(42 as unknown as string))).toBe('invalid_character');
    expect(invoiceReason(() => decodeInvoice(''))).toBe('no_bech32_separator');
  });

  it('refuses an empty human-readable part and a missing checksum', () => {
    expect(invoiceReason(() => decodeInvoice(`1${good.slice(good.lastIndexOf('1') + 1)}`))).toBe(
      'unknown_prefix',
    );
    expect(invoiceReason(() => decodeInvoice('lnbc1qqq'))).toBe('too_short');
  });

  it('refuses a single changed character (checksum)', () => {
    const i = good.length - 20;
    const swapped = `${good.slice(0, i)}${good[i] === 'q' ? 'p' : 'q'}${good.slice(i + 1)}`;
    expect(invoiceReason(() => decodeInvoice(swapped))).toBe('invalid_bech32_checksum');
  });

  it('refuses a well-formed bech32 string of another prefix', () => {
    const words = bech32.decode(good, false).words;
    expect(invoiceReason(() => decodeInvoice(bech32.encode('bc', words, false)))).toBe(
      'unknown_prefix',
    );
    expect(invoiceReason(() => decodeInvoice(bech32.encode('lnxyz', words, false)))).toBe(
      'unknown_prefix',
    );
  });
});

describe('network', () => {
  it('reads every network and refuses another one when asked for one', () => {
    for (const network of ['bitcoin', 'testnet', 'signet', 'regtest'] as const) {
      const text = signed(baseFields(), { network });
      expect(decodeInvoice(text).network).toBe(network);
      expect(decodeInvoice(text, { network }).network).toBe(network);
      const other = network === 'bitcoin' ? 'testnet' : 'bitcoin';
      expect(invoiceReason(() => decodeInvoice(text, { network: other }))).toBe('network_mismatch');
    }
  });
});

describe('mandatory fields', () => {
  it('requires a payment hash', () => {
    expect(invoiceReason(() => decodeInvoice(signed(without('paymentHash'))))).toBe(
      'missing_payment_hash',
    );
  });

  it('requires a payment secret', () => {
    expect(invoiceReason(() => decodeInvoice(signed(without('paymentSecret'))))).toBe(
      'missing_payment_secret',
    );
  });

  it('requires exactly one of d and h', () => {
    expect(invoiceReason(() => decodeInvoice(signed(without('description'))))).toBe(
      'missing_description',
    );
    const both: TaggedField[] = [
      ...baseFields(),
      { type: 'descriptionHash', descriptionHash: '00'.repeat(32) },
    ];
    expect(invoiceReason(() => decodeInvoice(signed(both)))).toBe('description_and_hash');
  });

  it('does not count a skipped wrong-length field as present', () => {
    const fields = [rawField('p', new Array<number>(51).fill(0)), ...without('paymentHash')];
    expect(invoiceReason(() => decodeInvoice(signed(fields)))).toBe('missing_payment_hash');
    const secret = [rawField('s', new Array<number>(53).fill(0)), ...without('paymentSecret')];
    expect(invoiceReason(() => decodeInvoice(signed(secret)))).toBe('missing_payment_secret');
  });

  it('uses the first of repeated fields', () => {
    const second = 'ff'.repeat(32);
    const fields: TaggedField[] = [
      ...baseFields(),
      { type: 'paymentHash', paymentHash: second },
      { type: 'expiry', expirySecs: 60 },
      { type: 'expiry', expirySecs: 120 },
    ];
    const inv = decodeInvoice(signed(fields));
    expect(inv.paymentHash).toBe(PAYMENT_HASH);
    expect(inv.expirySecs).toBe(60);
  });
});

describe('skipped fields', () => {
  it('keeps unknown types and unknown fallback versions, in order, and still verifies', () => {
    const fields: TaggedField[] = [
      rawField('2', [0, 0, 0]),
      ...baseFields(),
      rawField('f', [19, 1, 2, 3]),
      rawField('f', [31]),
      rawField('n', new Array<number>(52).fill(0)),
      rawField('h', new Array<number>(53).fill(0)),
    ];
    const inv = decodeInvoice(signed(fields));
    expect(inv.ignoredFields.map((f) => [f.tag, f.reason])).toEqual([
      ['2', 'unknown_type'],
      ['f', 'unknown_fallback_version'],
      ['f', 'unknown_fallback_version'],
      ['n', 'wrong_length'],
      ['h', 'wrong_length'],
    ]);
    expect(inv.fallbacks).toEqual([]);
    expect(inv.payeeNodeIdFrom).toBe('signature_recovery');
    expect(inv.payeeNodeId).toBe(SPEC_NODE_ID);
  });
});

describe('field content', () => {
  const bad = (field: TaggedField): string =>
    invoiceReason(() => decodeInvoice(signed([...baseFields(), field])));

  it('refuses a description that is not UTF-8', () => {
    expect(bad(rawField('d', bytesToWords(new Uint8Array([0x63, 0xff, 0x63]))))).toBe(
      'invalid_field',
    );
  });

  it('refuses an n field that is not a point', () => {
    const notAPoint = new Uint8Array(33).fill(0xff);
    notAPoint[0] = 2;
    expect(bad(rawField('n', bytesToWords(notAPoint)))).toBe('invalid_field');
  });

  it('refuses x, c and 9 with leading zero words (BOLT 11 "SHOULD treat the invoice as invalid")', () => {
    expect(bad(rawField('x', [0, 1, 28]))).toBe('non_minimal_field');
    expect(bad(rawField('c', [0, 18]))).toBe('non_minimal_field');
    const fields = [...without('features'), rawField('9', [0, 16, 8, 0])];
    expect(invoiceReason(() => decodeInvoice(signed(fields)))).toBe('non_minimal_field');
  });

  it('reads an empty x or c field as zero', () => {
    const inv = decodeInvoice(signed([...baseFields(), rawField('x', []), rawField('c', [])]));
    expect(inv.expirySecs).toBe(0);
    expect(inv.minFinalCltvExpiryDelta).toBe(0);
  });

  it('refuses integers beyond 2^53 - 1', () => {
    expect(bad(rawField('x', new Array<number>(11).fill(31)))).toBe('invalid_field');
    expect(bad(rawField('c', [1, ...new Array<number>(11).fill(0)]))).toBe('invalid_field');
  });

  it('refuses fallbacks whose program does not fit their version', () => {
    expect(bad(rawField('f', []))).toBe('invalid_field');
    expect(bad(rawField('f', [0, ...bytesToWords(new Uint8Array(25))]))).toBe('invalid_field');
    expect(bad(rawField('f', [1, ...bytesToWords(new Uint8Array(41))]))).toBe('invalid_field');
    expect(bad(rawField('f', [16, ...bytesToWords(new Uint8Array(1))]))).toBe('invalid_field');
    expect(bad(rawField('f', [17, ...bytesToWords(new Uint8Array(19))]))).toBe('invalid_field');
    expect(bad(rawField('f', [18, ...bytesToWords(new Uint8Array(21))]))).toBe('invalid_field');
  });

  it('refuses route hints that are not whole hops of valid keys', () => {
    expect(bad(rawField('r', bytesToWords(new Uint8Array(50))))).toBe('invalid_field');
    expect(bad(rawField('r', []))).toBe('invalid_field');
    const hop = new Uint8Array(51);
    hop.set(OTHER_KEY);
    expect(
      decodeInvoice(signed([...baseFields(), rawField('r', bytesToWords(hop))])).routeHints,
    ).toHaveLength(1);
    hop[0] = 4;
    expect(bad(rawField('r', bytesToWords(hop)))).toBe('invalid_field');
  });

  it('refuses a field whose data_length runs into the signature', () => {
    const words = [...TIMESTAMP_WORDS, 1, 1, 20, 0, 0];
    expect(invoiceReason(() => decodeInvoice(signWords('lnbc', words)))).toBe('truncated_field');
    expect(invoiceReason(() => decodeInvoice(signWords('lnbc', [...TIMESTAMP_WORDS, 1, 1])))).toBe(
      'truncated_field',
    );
  });
});

describe('feature bits', () => {
  const withFeatures = (bits: number[]): string =>
    signed([...without('features'), { type: 'features', features: Features.fromBits(bits) }]);

  it('ignores unknown odd bits and refuses unknown even bits', () => {
    expect(decodeInvoice(withFeatures([8, 14, 101])).features.bits()).toEqual([8, 14, 101]);
    expect(invoiceReason(() => decodeInvoice(withFeatures([8, 14, 100])))).toBe(
      'unknown_even_feature_bit',
    );
  });

  it('refuses even bits of features BOLT 9 does not list for invoices', () => {
    // option_anchors (22) is an init/channel feature, not an invoice one.
    expect(invoiceReason(() => decodeInvoice(withFeatures([8, 14, 22])))).toBe(
      'unknown_even_feature_bit',
    );
    for (const bit of [16, 24, 36, 48])
      expect(decodeInvoice(withFeatures([8, 14, bit]))).toBeTruthy();
  });

  it('refuses a feature set without its dependency', () => {
    // option_zeroconf (51, odd) depends on option_scid_alias (46/47).
    expect(invoiceReason(() => decodeInvoice(withFeatures([8, 14, 51])))).toBe(
      'missing_feature_dependency',
    );
    expect(decodeInvoice(withFeatures([8, 14, 47, 51])).features.bits()).toEqual([8, 14, 47, 51]);
  });

  it('treats a missing 9 field as no features', () => {
    expect(decodeInvoice(signed(without('features'))).features.isEmpty()).toBe(true);
  });
});

describe('signature', () => {
  it('verifies against the n field when there is one', () => {
    const fields = [...baseFields(), { type: 'payeeNodeId', payeeNodeId: SPEC_NODE_ID } as const];
    const inv = decodeInvoice(signed(fields));
    expect(inv.payeeNodeId).toBe(SPEC_NODE_ID);
    expect(inv.payeeNodeIdFrom).toBe('n_field');
  });

  it('refuses a signature that does not verify against the n field', () => {
    const fields = [...baseFields(), rawField('n', bytesToWords(OTHER_KEY))];
    expect(invoiceReason(() => decodeInvoice(signed(fields)))).toBe('invalid_signature');
  });

  it('refuses recovery ids above 3', () => {
    const words = bech32.decode(signed(baseFields()), false).words.slice(0, -104);
    for (const id of [4, 255]) {
      expect(invoiceReason(() => decodeInvoice(signWords('lnbc', words, id)))).toBe(
        'signature_not_recoverable',
      );
    }
  });

  it('recovers another key when the data changed after signing', () => {
    const good = signed(baseFields());
    const { words } = bech32.decode(good, false);
    words[10] = (words[10]! + 1) % 32; // inside the payment hash
    const inv = decodeInvoice(bech32.encode('lnbc', words, false));
    expect(inv.payeeNodeId).not.toBe(SPEC_NODE_ID);
  });

  it('exposes what was signed', () => {
    const inv = decodeInvoice(signed(baseFields()));
    expect(inv.hrp).toBe('lnbc');
    expect(inv.signingHash).toEqual(nobleBackend.sha256(inv.signedData));
    expect(nobleBackend.verify(inv.signature.signature, inv.signingHash, OTHER_KEY)).toBe(false);
    expect(inv.paymentSecret).toBe(PAYMENT_SECRET);
    expect(inv.features.equals(EXAMPLE_FEATURES)).toBe(true);
  });
});
