/// <reference types="vite/client" />

/** The embedded SqueezeNet weights' .bin: its size in bytes and SHA-256 (hex), from vite.config.ts. */
declare const __EMBEDDED_SQUEEZENET_BYTES__: number;
declare const __EMBEDDED_SQUEEZENET_SHA256__: string;
