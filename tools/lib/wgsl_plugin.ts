/** Vite/Vitest plugin: `import src from './x.wgsl'` gives the shader's source text. */
import type { Plugin } from 'vite';

export function wgslText(): Plugin {
  return {
    name: 'wgsl-text',
    transform(code, id) {
      if (!id.endsWith('.wgsl')) return null;
      return { code: `export default ${JSON.stringify(code)};`, map: null };
    },
  };
}
