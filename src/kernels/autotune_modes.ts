/**
 * Autotuning modes (see autotune.ts), in a module of their own so Node-side tools can parse
 * `--autotune` without loading the kernels:
 *   auto     tune on hardware adapters, keep the fixed table on software ones
 *   on       tune on any adapter
 *   off      the fixed table; the stored table is neither read nor written
 *   refresh  ignore the stored table and measure again
 */
export const AUTOTUNE_MODES = ['auto', 'on', 'off', 'refresh'] as const;
export type AutotuneMode = (typeof AUTOTUNE_MODES)[number];

export function checkAutotuneMode(mode: string): AutotuneMode {
  if (!(AUTOTUNE_MODES as readonly string[]).includes(mode)) throw new Error(`autotune must be one of ${AUTOTUNE_MODES.join(', ')}, got "${mode}"`);
  return mode as AutotuneMode;
}
