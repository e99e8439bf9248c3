/**
 * The named feature bits of BOLT 9 ("Assigned Feature Flags"), as data. Each feature is a pair
 * of bits: the even bit means "required", the odd bit "supported".
 *
 * `contexts` are the fields the BOLT 9 table lets a feature appear in. Features the table marks
 * ASSUMED have no context there any more (bolts #1310), yet nodes released before that change
 * disconnect peers that do not set them (rust-lightning checks `static_remotekey`, for one), so
 * `legacyContexts` records where earlier BOLT 9 revisions placed them; boltkit still sets them
 * there (see `our-features.ts`).
 */

/** Where a feature vector appears (BOLT 9 "Context" letters I, N, C, 9, B, T). */
export type FeatureContext =
  'init' | 'node' | 'channel' | 'invoice' | 'blindedPath' | 'channelType';

export interface FeatureInfo {
  /** The BOLT 9 name. */
  readonly name: FeatureName;
  /** The even ("required") bit; the odd ("supported") bit is `evenBit + 1`. */
  readonly evenBit: number;
  /** BOLT 9 says every node has it; its semantics live in earlier revisions. */
  readonly assumed: boolean;
  readonly contexts: readonly FeatureContext[];
  /** For ASSUMED features: the contexts of the last BOLT 9 revision that listed them. */
  readonly legacyContexts?: readonly FeatureContext[];
  /** Features that must also be set whenever this one is. */
  readonly dependencies: readonly FeatureName[];
  /**
   * For ASSUMED features: the dependencies of the last BOLT 9 revision that listed them
   * (`payment_secret` needed `var_onion_optin`). Checked only in strict mode, on what we send.
   */
  readonly legacyDependencies?: readonly FeatureName[];
}

/** Every name of the BOLT 9 table. */
export const FeatureNames = [
  'option_data_loss_protect',
  'option_upfront_shutdown_script',
  'gossip_queries',
  'var_onion_optin',
  'gossip_queries_ex',
  'option_static_remotekey',
  'payment_secret',
  'basic_mpp',
  'option_support_large_channel',
  'option_anchors',
  'option_route_blinding',
  'option_shutdown_anysegwit',
  'option_dual_fund',
  'option_quiesce',
  'option_attribution_data',
  'option_onion_messages',
  'option_provide_storage',
  'option_channel_type',
  'option_scid_alias',
  'option_payment_metadata',
  'option_zeroconf',
  'option_simple_close',
  'option_splice',
] as const;

export type FeatureName = (typeof FeatureNames)[number];

const IN: readonly FeatureContext[] = ['init', 'node'];
const IN9: readonly FeatureContext[] = ['init', 'node', 'invoice'];
const INT: readonly FeatureContext[] = ['init', 'node', 'channelType'];

function f(
  name: FeatureName,
  evenBit: number,
  contexts: readonly FeatureContext[],
  dependencies: readonly FeatureName[] = [],
): FeatureInfo {
  return { name, evenBit, assumed: false, contexts, dependencies };
}

function assumed(
  name: FeatureName,
  evenBit: number,
  legacyContexts: readonly FeatureContext[],
  legacyDependencies: readonly FeatureName[] = [],
): FeatureInfo {
  return {
    name,
    evenBit,
    assumed: true,
    contexts: [],
    legacyContexts,
    dependencies: [],
    legacyDependencies,
  };
}

/** The BOLT 9 table, by ascending bit (bolts commit a3772650). */
export const FEATURES: readonly FeatureInfo[] = [
  assumed('option_data_loss_protect', 0, IN),
  f('option_upfront_shutdown_script', 4, IN),
  // No context: BOLT 7 now treats offering it as "this peer has useful gossip to share".
  f('gossip_queries', 6, []),
  assumed('var_onion_optin', 8, IN9),
  f('gossip_queries_ex', 10, IN),
  assumed('option_static_remotekey', 12, IN),
  assumed('payment_secret', 14, IN9, ['var_onion_optin']),
  f('basic_mpp', 16, IN9, ['payment_secret']),
  f('option_support_large_channel', 18, IN),
  f('option_anchors', 22, INT),
  f('option_route_blinding', 24, IN9),
  f('option_shutdown_anysegwit', 26, IN),
  f('option_dual_fund', 28, IN),
  f('option_quiesce', 34, IN),
  f('option_attribution_data', 36, IN9),
  f('option_onion_messages', 38, IN),
  f('option_provide_storage', 42, IN),
  assumed('option_channel_type', 44, IN),
  f('option_scid_alias', 46, INT),
  f('option_payment_metadata', 48, ['invoice']),
  f('option_zeroconf', 50, INT, ['option_scid_alias']),
  f('option_simple_close', 60, IN, ['option_shutdown_anysegwit']),
  f('option_splice', 62, IN),
];

const byName = new Map<string, FeatureInfo>(FEATURES.map((x) => [x.name, x]));
const byPair = new Map<number, FeatureInfo>(FEATURES.map((x) => [x.evenBit >> 1, x]));

/** The table entry of `name`; `undefined` for a name not in BOLT 9. */
export function featureInfo(name: string): FeatureInfo | undefined {
  return byName.get(name);
}

/** The table entry owning `bit` (even or odd), or `undefined` for an unassigned bit. */
export function featureOfBit(bit: number): FeatureInfo | undefined {
  return byPair.get(bit >> 1);
}
