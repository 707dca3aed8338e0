/** The viewing scale of src/job/viewing_style.ts, in a module without engine code (the CLI's help imports it before the engine loads). */

/** Longer side (px) at which results are compared with the painting: a thumbnail, where a person judges "style" at a glance. */
export const VIEWING_SIDE = 128;
