// WGSL files are imported as their source text (esbuild loader "text", the vite plugin in vite.config.ts).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
// wgsl_reflect's "main" is a CommonJS build inside a "type: module" package; import its ESM build directly.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
