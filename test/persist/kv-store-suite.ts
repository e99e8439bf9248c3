// The one test suite every KVStore must pass (memory, filesystem, and any host store).
// Call it from a test file with a factory that returns a fresh, empty store.
import { describe, expect, it } from 'vitest';
import { KVSTORE_NAMESPACE_KEY_MAX_LEN, type KVStore } from '../../src/persist/kv-store.js';
import { ErrorCode } from '../../src/util/errors.js';

export interface StoreHandle {
  readonly store: KVStore;
  /** Deletes what the store left behind (a temp directory). */
  readonly cleanup?: () => Promise<void>;
}

const bytes = (...v: number[]): Uint8Array => Uint8Array.from(v);

/** Deterministic pseudo-random bytes (xorshift32), so the large-value test needs no entropy. */
function patterned(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function kvStoreSuite(name: string, open: () => Promise<StoreHandle>): void {
  describe(`KVStore suite: ${name}`, () => {
    async function withStore(fn: (store: KVStore) => Promise<void>): Promise<void> {
      const handle = await open();
      try {
        await fn(handle.store);
      } finally {
        await handle.cleanup?.();
      }
    }

    it('round-trips a value in every namespace shape', () =>
      withStore(async (store) => {
        await store.write('', '', 'top', bytes(1));
        await store.write('monitors', '', 'm1', bytes(2, 3));
        await store.write('monitors', 'updates', 'u1', bytes(4, 5, 6));
        expect(await store.read('', '', 'top')).toEqual(bytes(1));
        expect(await store.read('monitors', '', 'm1')).toEqual(bytes(2, 3));
        expect(await store.read('monitors', 'updates', 'u1')).toEqual(bytes(4, 5, 6));
      }));

    it('stores an empty value as present, not missing', () =>
      withStore(async (store) => {
        await store.write('ns', '', 'empty', new Uint8Array(0));
        expect(await store.read('ns', '', 'empty')).toEqual(new Uint8Array(0));
        expect(await store.list('ns', '')).toEqual(['empty']);
      }));

    it('overwrites', () =>
      withStore(async (store) => {
        await store.write('ns', 'sub', 'k', bytes(1, 2, 3, 4));
        await store.write('ns', 'sub', 'k', bytes(9));
        expect(await store.read('ns', 'sub', 'k')).toEqual(bytes(9));
        expect(await store.list('ns', 'sub')).toEqual(['k']);
      }));

    it('reads a missing key as undefined, in a missing or an existing namespace', () =>
      withStore(async (store) => {
        expect(await store.read('nothing', 'here', 'k')).toBeUndefined();
        await store.write('ns', '', 'a', bytes(1));
        expect(await store.read('ns', '', 'b')).toBeUndefined();
      }));

    it('removes, and removing a missing key succeeds', () =>
      withStore(async (store) => {
        await store.write('ns', '', 'a', bytes(1));
        await store.write('ns', '', 'b', bytes(2));
        await store.remove('ns', '', 'a');
        expect(await store.read('ns', '', 'a')).toBeUndefined();
        expect(await store.read('ns', '', 'b')).toEqual(bytes(2));
        await store.remove('ns', '', 'a');
        await store.remove('missing', 'ns', 'a');
        await store.remove('ns', '', 'b', true);
        expect(await store.read('ns', '', 'b')).toBeUndefined();
        // A removed key can be written again.
        await store.write('ns', '', 'a', bytes(3));
        expect(await store.read('ns', '', 'a')).toEqual(bytes(3));
      }));

    it('lists the keys directly under a namespace pair, not nested namespaces', () =>
      withStore(async (store) => {
        expect(await store.list('ns', '')).toEqual([]);
        expect(await store.list('', '')).toEqual([]);
        await store.write('ns', '', 'k2', bytes(1));
        await store.write('ns', '', 'k1', bytes(1));
        await store.write('ns', 'sub', 'k3', bytes(1));
        await store.write('', '', 'root', bytes(1));
        expect((await store.list('ns', '')).sort()).toEqual(['k1', 'k2']);
        expect(await store.list('ns', 'sub')).toEqual(['k3']);
        expect(await store.list('', '')).toEqual(['root']);
        await store.remove('ns', '', 'k1');
        expect(await store.list('ns', '')).toEqual(['k2']);
      }));

    it('keeps namespaces apart', () =>
      withStore(async (store) => {
        await store.write('a', '', 'k', bytes(1));
        await store.write('b', '', 'k', bytes(2));
        await store.write('a', 'x', 'k', bytes(3));
        await store.write('a', 'y', 'k', bytes(4));
        await store.write('', '', 'k', bytes(5));
        expect(await store.read('a', '', 'k')).toEqual(bytes(1));
        expect(await store.read('b', '', 'k')).toEqual(bytes(2));
        expect(await store.read('a', 'x', 'k')).toEqual(bytes(3));
        expect(await store.read('a', 'y', 'k')).toEqual(bytes(4));
        expect(await store.read('', '', 'k')).toEqual(bytes(5));
        await store.remove('a', 'x', 'k');
        expect(await store.read('a', 'y', 'k')).toEqual(bytes(4));
        expect(await store.read('a', '', 'k')).toEqual(bytes(1));
      }));

    it('accepts every alphabet character and the maximum length', () =>
      withStore(async (store) => {
        const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
        const long = 'x'.repeat(KVSTORE_NAMESPACE_KEY_MAX_LEN);
        await store.write(alphabet, long, long, bytes(7));
        expect(await store.read(alphabet, long, long)).toEqual(bytes(7));
        expect(await store.list(alphabet, long)).toEqual([long]);
      }));

    it('rejects invalid keys and namespaces with APIMisuse, on every method', () =>
      withStore(async (store) => {
        const tooLong = 'k'.repeat(KVSTORE_NAMESPACE_KEY_MAX_LEN + 1);
        const badTriples: Array<[string, string, string]> = [
          ['ns', '', ''], // empty key
          ['', 'sub', 'k'], // secondary without primary
          ['ns', '', 'a/b'],
          ['ns', '', '..'],
          ['ns', '', '.hidden'],
          ['ns', '', 'space key'],
          ['ns', '', 'ünïcode'],
          ['ns', '', tooLong],
          ['ns/x', '', 'k'],
          ['ns', '..', 'k'],
          [tooLong, '', 'k'],
          ['ns', tooLong, 'k'],
          ['ns', '', 'k\u0000'],
        ];
        for (const [p, s, k] of badTriples) {
          await expect(store.read(p, s, k), `read ${p}/${s}/${k}`).rejects.toMatchObject({
            code: ErrorCode.APIMisuse,
          });
          await expect(
            store.write(p, s, k, bytes(1)),
            `write ${p}/${s}/${k}`,
          ).rejects.toMatchObject({ code: ErrorCode.APIMisuse });
          await expect(store.remove(p, s, k), `remove ${p}/${s}/${k}`).rejects.toMatchObject({
            code: ErrorCode.APIMisuse,
          });
        }
        for (const [p, s] of [
          ['', 'sub'],
          ['a.b', ''],
          ['ns', 'a/b'],
          [tooLong, ''],
        ] as const) {
          await expect(store.list(p, s), `list ${p}/${s}`).rejects.toMatchObject({
            code: ErrorCode.APIMisuse,
          });
        }
        // Values that are not bytes, and names that are not strings (untyped callers).
        await expect(store.write('ns', '', 'k', 'text' as any)).rejects.toMatchObject({
          code: ErrorCode.APIMisuse,
        });
        await expect(store.read('ns', '', 7 as any)).rejects.toMatchObject({
          code: ErrorCode.APIMisuse,
        });
        // Nothing was written by any rejected call.
        expect(await store.list('ns', '')).toEqual([]);
        expect(await store.list('', '')).toEqual([]);
      }));

    it('copies values in and out: no aliasing', () =>
      withStore(async (store) => {
        const value = bytes(1, 2, 3);
        const pending = store.write('ns', '', 'k', value);
        value[0] = 99; // mutated before the write even completes
        await pending;
        const first = await store.read('ns', '', 'k');
        expect(first).toEqual(bytes(1, 2, 3));
        first![1] = 42;
        expect(await store.read('ns', '', 'k')).toEqual(bytes(1, 2, 3));
        const second = await store.read('ns', '', 'k');
        expect(second).not.toBe(first);
        // What comes out is a plain Uint8Array, never a Node Buffer.
        expect(Object.getPrototypeOf(second)).toBe(Uint8Array.prototype);
      }));

    it('concurrent writes to one key end with one of the values intact', () =>
      withStore(async (store) => {
        const values = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => patterned(4096 + i * 97, i + 1));
        await Promise.all(values.map((v) => store.write('ns', '', 'race', v)));
        const result = await store.read('ns', '', 'race');
        expect(values.some((v) => result !== undefined && Buffer.compare(v, result) === 0)).toBe(
          true,
        );
        expect(await store.list('ns', '')).toEqual(['race']);
      }));

    it('calls for one key take effect in call order', () =>
      withStore(async (store) => {
        const w1 = store.write('ns', '', 'k', bytes(1));
        const w2 = store.write('ns', '', 'k', bytes(2));
        const r = store.read('ns', '', 'k');
        const rm = store.remove('ns', '', 'k');
        const w3 = store.write('ns', '', 'k', bytes(3));
        await Promise.all([w1, w2, rm, w3]);
        expect(await r).toEqual(bytes(2));
        expect(await store.read('ns', '', 'k')).toEqual(bytes(3));
      }));

    it('concurrent writes to different keys all land', () =>
      withStore(async (store) => {
        const keys = Array.from({ length: 20 }, (_, i) => `key_${i}`);
        await Promise.all(keys.map((k, i) => store.write('many', 'sub', k, bytes(i))));
        expect((await store.list('many', 'sub')).sort()).toEqual([...keys].sort());
        for (const [i, k] of keys.entries()) {
          expect(await store.read('many', 'sub', k)).toEqual(bytes(i));
        }
      }));

    it('stores large values', () =>
      withStore(async (store) => {
        const big = patterned(4 * 1024 * 1024 + 3, 0xb01c);
        await store.write('big', '', 'blob', big);
        const back = await store.read('big', '', 'blob');
        expect(back?.length).toBe(big.length);
        expect(Buffer.compare(back!, big)).toBe(0);
      }));
  });
}
