// The KVStore naming rules (LDK's: [A-Za-z0-9_-], at most 120 characters, a secondary namespace
// only under a primary one, keys never empty), checked directly.
import { describe, expect, it } from 'vitest';
import { InvalidStoreKeyError } from '../../src/persist/errors.js';
import {
  checkStoreKey,
  checkStoreNamespace,
  isValidStoreName,
} from '../../src/persist/kv-store.js';
import { ErrorCode } from '../../src/util/errors.js';

describe('KVStore names', () => {
  it('accepts valid names, including empty namespaces', () => {
    expect(() => checkStoreKey('', '', 'k')).not.toThrow();
    expect(() => checkStoreKey('a', '', 'k')).not.toThrow();
    expect(() => checkStoreKey('a-B_9', 'x', 'K-_0')).not.toThrow();
    expect(() => checkStoreNamespace('', '')).not.toThrow();
    expect(isValidStoreName('x'.repeat(120))).toBe(true);
    expect(isValidStoreName('x'.repeat(121))).toBe(false);
    expect(isValidStoreName(5)).toBe(false);
  });

  it('rejects with a typed error that names what was rejected', () => {
    let caught: unknown;
    try {
      checkStoreKey('monitors', 'sub', 'bad key');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidStoreKeyError);
    expect(caught).toMatchObject({
      code: ErrorCode.APIMisuse,
      primaryNamespace: 'monitors',
      secondaryNamespace: 'sub',
      key: 'bad key',
    });
    expect(() => checkStoreNamespace('', 'sub')).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse, key: undefined }),
    );
    expect(() => checkStoreKey('a', 'b', '')).toThrow(
      expect.objectContaining({ code: ErrorCode.APIMisuse }),
    );
  });
});
