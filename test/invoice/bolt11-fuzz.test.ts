// Fuzzing decodeInvoice: random strings, character-level mutations of valid invoices, and
// word-level mutations re-wrapped in a valid checksum (and often re-signed) so they reach the
// field parser and the semantic checks. Whatever the input, decodeInvoice returns an invoice or
// throws an InvoiceError: never a TypeError, RangeError or an error of another layer.
import { bech32 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvoiceError } from '../../src/invoice/errors.js';
import { decodeInvoice, encodeInvoice, type Invoice } from '../../src/invoice/invoice.js';
import { Features } from '../../src/wire/features.js';
import {
  FC_SEED,
  PAYMENT_HASH,
  PAYMENT_SECRET,
  signWords,
  specSigner,
  TIMESTAMP_WORDS,
} from './helpers.js';

const ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Decodes; any exception other than InvoiceError fails the test. */
function decodeOrInvoiceError(text: string): Invoice | undefined {
  try {
    const inv = decodeInvoice(text);
    expect(inv.paymentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(inv.paymentSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(inv.payeeNodeId).toMatch(/^0[23][0-9a-f]{64}$/);
    expect((inv.description === undefined) !== (inv.descriptionHash === undefined)).toBe(true);
    return inv;
  } catch (e) {
    if (!(e instanceof InvoiceError)) throw e;
    expect(e.code).toBe('InvalidInvoice');
    return undefined;
  }
}

/** Valid invoices to mutate: a small one and one with every field type. */
const seeds: string[] = [
  encodeInvoice(
    {
      network: 'bitcoin',
      timestamp: 1_496_314_658,
      paymentHash: PAYMENT_HASH,
      paymentSecret: PAYMENT_SECRET,
      description: 'coffee',
      features: Features.fromBits([8, 14]),
    },
    specSigner,
  ),
  encodeInvoice(
    {
      network: 'regtest',
      amountMsat: 967_878_534n,
      timestamp: 1_572_468_703,
      paymentHash: PAYMENT_HASH,
      paymentSecret: PAYMENT_SECRET,
      descriptionHash: '39'.repeat(32),
      payeeNodeId: '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad',
      expirySecs: 604_800,
      minFinalCltvExpiryDelta: 144,
      fallbacks: [
        { version: 0, program: new Uint8Array(20).fill(1) },
        { version: 17, program: new Uint8Array(20).fill(2) },
      ],
      routeHints: [
        [
          {
            pubkey: '029e03a901b85534ff1e92c43c74431f7ce72046060fcf7a95c37e148f78c77255',
            shortChannelId: 0x0102030405060708n,
            feeBaseMsat: 1,
            feeProportionalMillionths: 20,
            cltvExpiryDelta: 3,
          },
        ],
      ],
      features: Features.fromBits([8, 14, 17, 49]),
      paymentMetadata: new Uint8Array([1, 250, 250, 240]),
    },
    specSigner,
  ),
];

const anyChar = fc.constantFrom(
  ...`${ALPHABET}${ALPHABET.toUpperCase()}1lnbcrtum0b io.-é\u0000\u{1F600}`.split(''),
);

describe('decodeInvoice fuzzing', () => {
  it('valid seeds decode', () => {
    for (const s of seeds) expect(decodeOrInvoiceError(s)).toBeDefined();
  });

  it('random strings only give InvoiceErrors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: anyChar, maxLength: 400 }),
          fc.string({ unit: anyChar, maxLength: 60 }).map((s) => `lnbc${s}1${s}`),
        ),
        (s) => {
          decodeOrInvoiceError(s);
        },
      ),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it('character mutations of valid invoices only give InvoiceErrors', () => {
    const mutation = fc.record({
      seed: fc.constantFrom(...seeds),
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'insert', 'truncate', 'case'),
      char: anyChar,
    });
    fc.assert(
      fc.property(mutation, ({ seed, at, kind, char }) => {
        const i = at % seed.length;
        const s =
          kind === 'replace'
            ? seed.slice(0, i) + char + seed.slice(i + 1)
            : kind === 'delete'
              ? seed.slice(0, i) + seed.slice(i + 1)
              : kind === 'insert'
                ? seed.slice(0, i) + char + seed.slice(i)
                : kind === 'truncate'
                  ? seed.slice(0, i)
                  : seed.slice(0, i) + seed.charAt(i).toUpperCase() + seed.slice(i + 1);
        decodeOrInvoiceError(s);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it('word mutations under a valid checksum, re-signed or not, only give InvoiceErrors', () => {
    const edit = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'delete', 'insert'),
      word: fc.nat({ max: 31 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(edit, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom('lnbc', 'lnbcrt', 'lnbc2500u', 'lntb1p', 'lnbc0', 'lnbcrt25mm'),
        (seed, edits, resign, hrp) => {
          const decoded = bech32.decode(seed, false);
          const data = decoded.words.slice(0, -104);
          for (const { at, kind, word } of edits) {
            const i = at % (data.length + 1);
            if (kind === 'replace' && i < data.length) data[i] = word;
            else if (kind === 'delete') data.splice(i, 1);
            else data.splice(i, 0, word);
          }
          const text = resign
            ? signWords(hrp, data)
            : bech32.encode(decoded.prefix, [...data, ...decoded.words.slice(-104)], false);
          decodeOrInvoiceError(text);
        },
      ),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('random tagged fields behind a valid signature only give InvoiceErrors', () => {
    const field = fc
      .tuple(fc.nat({ max: 31 }), fc.array(fc.nat({ max: 31 }), { maxLength: 120 }))
      .map(([tag, words]) => [tag, words.length >> 5, words.length & 31, ...words]);
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), (fields) => {
        const base = bech32.decode(seeds[0]!, false).words.slice(TIMESTAMP_WORDS.length, -104);
        decodeOrInvoiceError(signWords('lnbc', [...TIMESTAMP_WORDS, ...base, ...fields.flat()]));
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
  });

  it('decodes a very long invoice of skipped fields in one linear pass', () => {
    const base = bech32.decode(seeds[0]!, false).words.slice(0, -104);
    const filler: number[] = [];
    for (let i = 0; i < 5000; i++) filler.push(2, 1, 0, ...new Array<number>(32).fill(i % 32));
    const inv = decodeOrInvoiceError(signWords('lnbc', [...base, ...filler]));
    expect(inv?.ignoredFields).toHaveLength(5000);
    expect(decodeOrInvoiceError('lnbc1' + 'q'.repeat(200_000))).toBeUndefined();
  });
});
