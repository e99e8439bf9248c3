import { describe, expect, it } from 'vitest';
import {
  ChannelMonitorUpdateStatus,
  checkNextUpdateId,
  type ChannelMonitorUpdate,
} from '../../src/chain/watch.js';
import { ErrorCode } from '../../src/util/errors.js';

const update = (updateId: unknown): ChannelMonitorUpdate => ({
  updateId: updateId as bigint,
  channelId: '00'.repeat(32),
  steps: [],
});

describe('Watch', () => {
  it('names the three LDK statuses', () => {
    expect(Object.values(ChannelMonitorUpdateStatus)).toEqual([
      'Completed',
      'InProgress',
      'UnrecoverableError',
    ]);
  });

  it('accepts only strictly increasing u64 update ids', () => {
    expect(() => checkNextUpdateId(0n, update(1n))).not.toThrow();
    expect(() => checkNextUpdateId(5n, update(9n))).not.toThrow();
    for (const [latest, next] of [
      [5n, 5n],
      [5n, 4n],
      [0n, -1n],
      [0n, 2n ** 64n],
      [0n, 1],
      [0n, '1'],
    ] as const) {
      expect(() => checkNextUpdateId(latest, update(next))).toThrow(
        expect.objectContaining({ code: ErrorCode.APIMisuse }),
      );
    }
  });
});
