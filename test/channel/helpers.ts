/** Assertions shared by the channel tests. */
import { expect } from 'vitest';
import {
  ChannelError,
  type ChannelCheck,
  type ChannelErrorAction,
} from '../../src/channel-manager/channel/errors.js';
import { ErrorCode } from '../../src/util/errors.js';

/** Runs `fn` and checks it throws a `ChannelError` with this action and check. */
export function expectChannelError(
  fn: () => unknown,
  action: ChannelErrorAction,
  check: ChannelCheck,
): ChannelError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a ChannelError').toBeInstanceOf(ChannelError);
  const err = thrown as ChannelError;
  expect(err.code).toBe(ErrorCode.ChannelError);
  expect({ action: err.action, check: err.check }).toEqual({ action, check });
  return err;
}

/** Runs `fn` and returns the error it throws (failing when it does not). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}
