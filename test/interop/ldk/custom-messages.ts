/**
 * LDK's `CustomMessageHandler` and `CustomMessageReader` traits, implemented to record what a
 * peer sends in the BOLT 1 custom range and to queue what the test wants to send.
 *
 * LDK holds trait objects weakly (see load.ts), so `LdkCustomMessages` keeps every object it
 * hands over. Callbacks never throw into WASM: failures are recorded in `callbackErrors`.
 * https://github.com/lightning/bolts/blob/master/01-messaging.md#lightning-message-format
 */
import { hex } from '@scure/base';
import type { CustomMessageHandler, TwoTuple_PublicKeyTypeZ, Type } from 'lightningdevkit';
import { ldkBool } from './load.js';
import type { Ldk } from './load.js';

/** A custom message LDK decoded and delivered to its handler. */
export interface ReceivedCustomMessage {
  readonly fromNodeIdHex: string;
  readonly type: number;
  readonly payload: Uint8Array;
}

/** A peer connect or disconnect as LDK's message handlers saw it. */
export interface PeerLifecycleRecord {
  readonly kind: 'connected' | 'disconnected';
  readonly nodeIdHex: string;
  /** Feature bits of the peer's `init`, present on `connected`. */
  readonly initFeatureBits?: readonly number[];
  readonly inbound?: boolean;
}

/** BOLT 1: types from 32768 up are for custom use. */
export const CUSTOM_TYPE_MIN = 32768;

/** Feature bit numbers set in a little-endian flags array (byte 0 holds bits 0 to 7). */
export function featureBitsFromLeFlags(flags: Uint8Array): number[] {
  const bits: number[] = [];
  for (let i = 0; i < flags.length; i++) {
    const byte = flags[i]!;
    for (let j = 0; j < 8; j++) if ((byte >> j) & 1) bits.push(i * 8 + j);
  }
  return bits;
}

export class LdkCustomMessages {
  /** Messages delivered to LDK's handler, in arrival order. */
  readonly received: ReceivedCustomMessage[] = [];
  /** Connects and disconnects as LDK's custom handler was told of them. */
  readonly lifecycle: PeerLifecycleRecord[] = [];
  /** Errors caught inside callbacks (they must never reach WASM). */
  readonly callbackErrors: unknown[] = [];
  /** The trait object to pass to LDK's `PeerManager`. */
  readonly handler: CustomMessageHandler;

  private pending: TwoTuple_PublicKeyTypeZ[] = [];
  // Strong references to every `Type` handed to LDK, which only holds them weakly.
  private readonly keepAlive: Type[] = [];
  private readonly ldk: Ldk;
  private readonly acceptType: (type: number) => boolean;

  constructor(ldk: Ldk, acceptType: (type: number) => boolean = (t) => t >= CUSTOM_TYPE_MIN) {
    this.ldk = ldk;
    this.acceptType = acceptType;
    const guard = <T>(fallback: () => T, fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        this.callbackErrors.push(e);
        return fallback();
      }
    };
    this.handler = ldk.CustomMessageHandler.new_impl(
      {
        handle_custom_message: (msg, senderNodeId) =>
          guard(
            () => ldk.Result_NoneLightningErrorZ.constructor_ok(),
            () => {
              this.received.push({
                fromNodeIdHex: hex.encode(senderNodeId),
                type: msg.type_id() & 0xffff,
                payload: msg.write(),
              });
              return ldk.Result_NoneLightningErrorZ.constructor_ok();
            },
          ),
        get_and_clear_pending_msg: () =>
          guard(
            () => [],
            () => {
              const out = this.pending;
              this.pending = [];
              return out;
            },
          ),
        peer_disconnected: (theirNodeId) => {
          guard(
            () => undefined,
            () => {
              this.lifecycle.push({ kind: 'disconnected', nodeIdHex: hex.encode(theirNodeId) });
            },
          );
        },
        peer_connected: (theirNodeId, init, inbound) =>
          guard(
            () => ldk.Result_NoneNoneZ.constructor_ok(),
            () => {
              this.lifecycle.push({
                kind: 'connected',
                nodeIdHex: hex.encode(theirNodeId),
                initFeatureBits: featureBitsFromLeFlags(init.get_features().le_flags()),
                inbound: ldkBool(inbound),
              });
              return ldk.Result_NoneNoneZ.constructor_ok();
            },
          ),
        provided_node_features: () => ldk.NodeFeatures.constructor_empty(),
        provided_init_features: () => ldk.InitFeatures.constructor_empty(),
      },
      {
        // The bindings hand u16 message types over as signed 16-bit numbers (32769 arrives as
        // -32767), hence the masks.
        read: (rawType, buffer) =>
          guard(
            () =>
              ldk.Result_COption_TypeZDecodeErrorZ.constructor_err(
                ldk.DecodeError.constructor_invalid_value(),
              ),
            () => {
              const messageType = rawType & 0xffff;
              // Returning None lets LDK apply BOLT 1: ignore an unknown odd type, close on even.
              if (!this.acceptType(messageType)) {
                return ldk.Result_COption_TypeZDecodeErrorZ.constructor_ok(
                  ldk.Option_TypeZ.constructor_none(),
                );
              }
              const msg = this.makeType(messageType, buffer.slice());
              return ldk.Result_COption_TypeZDecodeErrorZ.constructor_ok(
                ldk.Option_TypeZ.constructor_some(msg),
              );
            },
          ),
      },
    );
  }

  /**
   * Queues `payload` as a message of `type` to `nodeId`. LDK collects it on its next
   * `process_events()`; if the peer is not connected then, LDK drops it.
   */
  queue(nodeId: Uint8Array, type: number, payload: Uint8Array): void {
    const msg = this.makeType(type, payload.slice());
    this.pending.push(this.ldk.TwoTuple_PublicKeyTypeZ.constructor_new(nodeId, msg));
  }

  private makeType(type: number, payload: Uint8Array): Type {
    const msg = this.ldk.Type.new_impl({
      type_id: () => type,
      debug_str: () => `custom message type ${type} (${payload.length} bytes)`,
      write: () => payload,
    });
    this.keepAlive.push(msg);
    return msg;
  }
}
