/**
 * What the planner tells adapters apart by: each class has its own fixed table of kernel versions
 * (fixed_choice.ts).
 */
import type { AdapterSummary } from './context.js';

/** What the planner tells apart: Mesa's lavapipe, other software adapters (SwiftShader), GPUs. */
export type AdapterClass = 'gpu' | 'swiftshader' | 'lavapipe';

export type PlannerAdapter = Pick<AdapterSummary, 'isSoftware'> & Partial<Pick<AdapterSummary, 'device' | 'description' | 'subgroups'>>;

export function adapterClass(a: PlannerAdapter): AdapterClass {
  if (!a.isSoftware) return 'gpu';
  return /llvmpipe|lavapipe/i.test(`${a.device ?? ''} ${a.description ?? ''}`) ? 'lavapipe' : 'swiftshader';
}
