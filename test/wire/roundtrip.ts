// Shared round-trip property: decode(encode(m)) deep-equals m, and re-encoding is byte-identical.
import fc from 'fast-check';
import { expect } from 'vitest';
import { decodeMessage, encodeMessage, type MessageKind } from '../../src/wire/message.js';
import { messageArbitraries } from './arbitraries.js';

/** Fixed seed so failures reproduce; `WIRE_FC_SEED` pins another one. */
export const FC_SEED = Number(process.env.WIRE_FC_SEED ?? 42);

/**
 * Structural equality over the shapes messages use (objects, arrays, bytes, bigints, numbers,
 * strings). Much faster than `toEqual` on byte arrays; `toEqual` still reports any mismatch.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length)
      return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return deepEqual(a, b);
}

export function assertRoundTrip(kind: MessageKind, numRuns = 200): void {
  fc.assert(
    fc.property(messageArbitraries[kind], (m) => {
      const bytes = encodeMessage(m);
      const back = decodeMessage(bytes);
      if (!deepEqual(back, m)) expect(back).toEqual(m);
      if (!sameBytes(encodeMessage(back), bytes)) expect(encodeMessage(back)).toEqual(bytes);
    }),
    { seed: FC_SEED, numRuns },
  );
}
