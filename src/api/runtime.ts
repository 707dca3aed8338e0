/** Which runtime a library call is in (the package runs in browsers, workers and Node alike). */

/** True in Node (and runtimes that pose as it), where files are read from disk and Dawn gives WebGPU. */
export const isNode = (): boolean => !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

/**
 * Import a module by a name bundlers do not follow: Node's built-ins and the optional `webgpu`
 * package are needed in Node only, and a browser build must not try to bundle them.
 */
export function importAtRuntime<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<T>;
}
