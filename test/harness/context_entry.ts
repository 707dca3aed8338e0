/** Test page: try to create a GPU context and report the result or the error as text. */
import { createGpuContext, describeContext } from '../../src/kernels/context.js';

(globalThis as unknown as { probe: () => Promise<string> }).probe = async () => {
  try {
    return describeContext(await createGpuContext());
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
};
