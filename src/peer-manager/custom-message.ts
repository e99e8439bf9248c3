/**
 * Which custom messages a host may send. Core Lightning's `sendcustommsg` rules: the type must
 * be odd (an even type a peer does not know makes it hang up, BOLT 1) and must not be a type
 * the node handles itself, so a custom message can never be taken for protocol traffic. Here
 * that means no type in the wire message table (`src/wire/message-types.ts`), whether boltkit
 * decodes it yet or only reserves it.
 */
import { isEvenType, isKnownMessageType } from '../wire/message-types.js';
import { CustomMessageRejectedError } from './errors.js';

/** The largest BOLT 1 message (2-byte type plus payload) a BOLT 8 frame carries. */
const MAX_MESSAGE_LENGTH = 65535;

/** Throws `CustomMessageRejectedError` unless `type` and `payload` may be sent as custom. */
export function checkCustomMessage(type: number, payload: unknown): asserts payload is Uint8Array {
  if (!Number.isInteger(type) || type < 0 || type > 0xffff) {
    throw new CustomMessageRejectedError(type, `custom message type ${type} is not a u16`);
  }
  if (isEvenType(type)) {
    throw new CustomMessageRejectedError(type, `custom message type ${type} is even`);
  }
  if (isKnownMessageType(type)) {
    throw new CustomMessageRejectedError(type, `message type ${type} is handled by boltkit`);
  }
  if (!(payload instanceof Uint8Array) || payload.length + 2 > MAX_MESSAGE_LENGTH) {
    throw new CustomMessageRejectedError(
      type,
      `custom message payload must be a Uint8Array of at most ${MAX_MESSAGE_LENGTH - 2} bytes`,
    );
  }
}
