/**
 * The error a `ChannelMonitor` throws when it refuses an action in its current state. A refusal
 * protects funds (BOLT 2 `option_data_loss_protect`: once the peer proved our state stale, our
 * own commitment may be revoked, and broadcasting it would hand the peer the whole channel), so
 * callers must not retry the same action.
 */
import { ChannelUnavailableError } from '../util/errors.js';

/** Why a `ChannelMonitor` refused; stable, for callers and tests to branch on. */
export const MonitorRefusal = {
  /**
   * The peer proved our state is stale (`AwaitingUnilateralClose`): our latest commitment may
   * be revoked, and broadcasting it could hand the peer the whole channel.
   */
  AwaitingUnilateralClose: 'AWAITING_UNILATERAL_CLOSE',
} as const;
export type MonitorRefusal = (typeof MonitorRefusal)[keyof typeof MonitorRefusal];

/** The monitor refused to do what was asked in its current state. */
export class ChannelMonitorRefusedError extends ChannelUnavailableError {
  readonly reason: MonitorRefusal;
  constructor(reason: MonitorRefusal, message: string, channelId: string) {
    super(message, channelId);
    this.reason = reason;
  }
}
