/**
 * What real software adapters report (GPUAdapter.info, features, limits), printed by a small script
 * calling requestAdapter() in each environment on 2026-12-07 (2 CPU cores, Debian 12). The planner
 * tests classify them (test/adapter_class.test.ts).
 */
export interface AdapterFacts {
  info: { vendor: string; architecture: string; device: string; description: string; subgroupMinSize: number; subgroupMaxSize: number; isFallbackAdapter: boolean };
  features: string[];
  limits: Record<string, number>;
}

/** lavapipe through Dawn in Node (the `webgpu` package), Mesa 25.0.7. */
export const DAWN_LAVAPIPE: AdapterFacts = {
  info: { vendor: 'mesa', architecture: 'software', device: 'llvmpipe-llvm-15-0-6-256-bits-', description: 'llvmpipe: Mesa 25.0.7-2~bpo12+1 (LLVM 15.0.6) 0.0.1', subgroupMinSize: 8, subgroupMaxSize: 8, isFallbackAdapter: true },
  features: [
    'atomic-vec2u-min-max', 'bgra8unorm-storage', 'clip-distances', 'core-features-and-limits',
    'depth-clip-control', 'depth32float-stencil8', 'dual-source-blending', 'float32-blendable',
    'float32-filterable', 'indirect-first-instance', 'primitive-index', 'rg11b10ufloat-renderable',
    'shader-f16', 'subgroup-size-control', 'subgroups', 'texture-component-swizzle',
    'texture-compression-bc', 'texture-compression-bc-sliced-3d', 'texture-compression-unaligned',
    'timestamp-query',
  ],
  limits: {
    maxTextureDimension1D: 16384, maxTextureDimension2D: 16384, maxTextureDimension3D: 4096,
    maxTextureArrayLayers: 2048, maxBindGroups: 4, maxBindGroupsPlusVertexBuffers: 24,
    maxImmediateSize: 64, maxBindingsPerBindGroup: 1000,
    maxDynamicUniformBuffersPerPipelineLayout: 16, maxDynamicStorageBuffersPerPipelineLayout: 16,
    maxSampledTexturesPerShaderStage: 48, maxSamplersPerShaderStage: 16,
    maxStorageBuffersPerShaderStage: 16, maxStorageBuffersInVertexStage: 16,
    maxStorageBuffersInFragmentStage: 16, maxStorageTexturesPerShaderStage: 8,
    maxStorageTexturesInVertexStage: 8, maxStorageTexturesInFragmentStage: 8,
    maxUniformBuffersPerShaderStage: 12, maxUniformBufferBindingSize: 65536,
    maxStorageBufferBindingSize: 134217728, minUniformBufferOffsetAlignment: 16,
    minStorageBufferOffsetAlignment: 16, maxVertexBuffers: 8, maxBufferSize: 4294967295,
    maxVertexAttributes: 30, maxVertexBufferArrayStride: 2048, maxInterStageShaderVariables: 30,
    maxColorAttachments: 8, maxColorAttachmentBytesPerSample: 256,
    maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupSizeY: 1024, maxComputeWorkgroupSizeZ: 1024,
    maxComputeWorkgroupsPerDimension: 65535,
  },
};

/** lavapipe through wgpu: Deno 2.9.6 (npm @deno/linux-x64-glibc), Mesa 25.0.7. */
export const WGPU_LAVAPIPE: AdapterFacts = {
  info: { vendor: '65541', architecture: '', device: '0', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', subgroupMinSize: 8, subgroupMaxSize: 8, isFallbackAdapter: true },
  features: [
    'bgra8unorm-storage', 'clip-distances', 'depth-clip-control', 'depth32float-stencil8',
    'dual-source-blending', 'float32-blendable', 'float32-filterable', 'immediates',
    'indirect-first-instance', 'primitive-index', 'rg11b10ufloat-renderable', 'shader-f16',
    'texture-compression-bc', 'texture-compression-bc-sliced-3d', 'timestamp-query',
  ],
  limits: {
    maxTextureDimension1D: 16384, maxTextureDimension2D: 16384, maxTextureDimension3D: 4096,
    maxTextureArrayLayers: 2048, maxBindGroups: 8, maxBindingsPerBindGroup: 1000000,
    maxDynamicUniformBuffersPerPipelineLayout: 124976,
    maxDynamicStorageBuffersPerPipelineLayout: 48, maxSampledTexturesPerShaderStage: 124976,
    maxSamplersPerShaderStage: 124976, maxStorageBuffersPerShaderStage: 48,
    maxStorageBuffersInVertexStage: 48, maxStorageBuffersInFragmentStage: 48,
    maxStorageTexturesPerShaderStage: 48, maxStorageTexturesInVertexStage: 48,
    maxStorageTexturesInFragmentStage: 48, maxUniformBuffersPerShaderStage: 124976,
    maxUniformBufferBindingSize: 65536, maxStorageBufferBindingSize: 134217728,
    minUniformBufferOffsetAlignment: 32, minStorageBufferOffsetAlignment: 32, maxVertexBuffers: 16,
    maxBufferSize: 2147483647, maxVertexAttributes: 32, maxVertexBufferArrayStride: 2048,
    maxInterStageShaderVariables: 31, maxColorAttachments: 8, maxColorAttachmentBytesPerSample: 128,
    maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupSizeY: 1024, maxComputeWorkgroupSizeZ: 1024,
    maxComputeWorkgroupsPerDimension: 65535,
  },
};

/** lavapipe in Firefox ESR 153 (wgpu; dom.webgpu.enabled, gfx.webgpu.ignore-blocklist): the adapter info is empty. */
export const FIREFOX_LAVAPIPE: AdapterFacts = {
  info: { vendor: '', architecture: '', device: '', description: '', subgroupMinSize: 4, subgroupMaxSize: 128, isFallbackAdapter: true },
  features: [
    'bgra8unorm-storage', 'core-features-and-limits', 'depth-clip-control', 'depth32float-stencil8',
    'float32-filterable', 'indirect-first-instance', 'rg11b10ufloat-renderable', 'shader-f16',
    'texture-compression-bc', 'texture-compression-bc-sliced-3d', 'timestamp-query',
  ],
  limits: {
    maxTextureDimension1D: 16384, maxTextureDimension2D: 16384, maxTextureDimension3D: 4096,
    maxTextureArrayLayers: 2048, maxBindGroups: 8, maxBindGroupsPlusVertexBuffers: 24,
    maxBindingsPerBindGroup: 1000000, maxDynamicUniformBuffersPerPipelineLayout: 124976,
    maxDynamicStorageBuffersPerPipelineLayout: 48, maxSampledTexturesPerShaderStage: 64,
    maxSamplersPerShaderStage: 64, maxStorageBuffersInVertexStage: 48,
    maxStorageBuffersInFragmentStage: 48, maxStorageBuffersPerShaderStage: 48,
    maxStorageTexturesInVertexStage: 48, maxStorageTexturesInFragmentStage: 48,
    maxStorageTexturesPerShaderStage: 48, maxUniformBuffersPerShaderStage: 64,
    maxUniformBufferBindingSize: 65536, maxStorageBufferBindingSize: 134217728,
    minUniformBufferOffsetAlignment: 32, minStorageBufferOffsetAlignment: 32, maxVertexBuffers: 16,
    maxBufferSize: 1073741824, maxVertexAttributes: 32, maxVertexBufferArrayStride: 2048,
    maxInterStageShaderVariables: 31, maxColorAttachments: 8, maxColorAttachmentBytesPerSample: 128,
    maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024,
    maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupSizeY: 1024, maxComputeWorkgroupSizeZ: 1024,
    maxComputeWorkgroupsPerDimension: 65535,
  },
};

/** SwiftShader in headless Chromium 156 (--use-webgpu-adapter=swiftshader). */
export const CHROMIUM_SWIFTSHADER: AdapterFacts = {
  info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', subgroupMinSize: 4, subgroupMaxSize: 4, isFallbackAdapter: true },
  features: [
    'bgra8unorm-storage', 'chromium-experimental-sampling-resource-table',
    'chromium-experimental-timestamp-query-inside-passes', 'clip-distances',
    'core-features-and-limits', 'depth-clip-control', 'depth32float-stencil8', 'float32-blendable',
    'float32-filterable', 'indirect-first-instance', 'rg11b10ufloat-renderable',
    'subgroup-size-control', 'subgroups', 'texture-component-swizzle', 'texture-compression-astc',
    'texture-compression-astc-sliced-3d', 'texture-compression-bc',
    'texture-compression-bc-sliced-3d', 'texture-compression-etc2', 'texture-compression-unaligned',
    'timestamp-query',
  ],
  limits: {
    maxTextureDimension1D: 8192, maxTextureDimension2D: 8192, maxTextureDimension3D: 2048,
    maxTextureArrayLayers: 256, maxBindGroups: 4, maxBindGroupsPlusVertexBuffers: 24,
    maxBindingsPerBindGroup: 1000, maxDynamicUniformBuffersPerPipelineLayout: 8,
    maxDynamicStorageBuffersPerPipelineLayout: 4, maxSampledTexturesPerShaderStage: 16,
    maxSamplersPerShaderStage: 16, maxStorageBuffersPerShaderStage: 10,
    maxStorageTexturesPerShaderStage: 4, maxUniformBuffersPerShaderStage: 12,
    maxUniformBufferBindingSize: 65536, maxStorageBufferBindingSize: 1073741824,
    minUniformBufferOffsetAlignment: 256, minStorageBufferOffsetAlignment: 256, maxVertexBuffers: 8,
    maxBufferSize: 1073741824, maxVertexAttributes: 16, maxVertexBufferArrayStride: 2048,
    maxInterStageShaderVariables: 28, maxColorAttachments: 8, maxColorAttachmentBytesPerSample: 128,
    maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256,
    maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256, maxComputeWorkgroupSizeZ: 64,
    maxComputeWorkgroupsPerDimension: 65535, maxImmediateSize: 64,
    maxStorageBuffersInFragmentStage: 10, maxStorageTexturesInFragmentStage: 4,
    maxStorageBuffersInVertexStage: 10, maxStorageTexturesInVertexStage: 4,
  },
};
