/**
 * A minimal WebM (Matroska) muxer for one VP8 or VP9 video track, so that frames encoded with
 * WebCodecs keep their exact timestamps (MediaRecorder stamps frames by wall clock). Frames are
 * kept until finish(), which writes the whole file with every element's size known:
 *
 *   EBML header
 *   Segment
 *     SeekHead   → Info, Tracks, Cues
 *     Info       TimecodeScale 1 ms, Duration
 *     Tracks     one video track
 *     Cluster*   Timecode, SimpleBlock* (a new cluster at each key frame, and before a block's
 *                time relative to its cluster would pass int16's 32767 ms)
 *     Cues       one CuePoint per key frame (each starts a cluster)
 *
 * Pure TypeScript (no DOM, no Node): it runs in pages and in Node alike.
 */
import { element, flatten, floatElement, idBytes, join, stringElement, uintElement, type Body, type Pieces } from './ebml.js';

export interface WebmTrack {
  codec: 'V_VP8' | 'V_VP9';
  width: number;
  height: number;
  frameRate?: number;
}

// Element IDs (Matroska specification, RFC 9559)
const EBML = 0x1a45dfa3, EBML_VERSION = 0x4286, EBML_READ_VERSION = 0x42f7, EBML_MAX_ID_LENGTH = 0x42f2;
const EBML_MAX_SIZE_LENGTH = 0x42f3, DOC_TYPE = 0x4282, DOC_TYPE_VERSION = 0x4287, DOC_TYPE_READ_VERSION = 0x4285;
const SEGMENT = 0x18538067, SEEK_HEAD = 0x114d9b74, SEEK = 0x4dbb, SEEK_ID = 0x53ab, SEEK_POSITION = 0x53ac;
const INFO = 0x1549a966, TIMECODE_SCALE = 0x2ad7b1, DURATION = 0x4489, MUXING_APP = 0x4d80, WRITING_APP = 0x5741;
const TRACKS = 0x1654ae6b, TRACK_ENTRY = 0xae, TRACK_NUMBER = 0xd7, TRACK_UID = 0x73c5, TRACK_TYPE = 0x83;
const FLAG_LACING = 0x9c, CODEC_ID = 0x86, DEFAULT_DURATION = 0x23e383, VIDEO = 0xe0, PIXEL_WIDTH = 0xb0, PIXEL_HEIGHT = 0xba;
const CLUSTER = 0x1f43b675, TIMECODE = 0xe7, SIMPLE_BLOCK = 0xa3;
const CUES = 0x1c53bb6b, CUE_POINT = 0xbb, CUE_TIME = 0xb3, CUE_TRACK_POSITIONS = 0xb7, CUE_TRACK = 0xf7;
const CUE_CLUSTER_POSITION = 0xf1;

const TRACK = 1; // the one track's number
const APP = 'webgpu-neural-style';
const MAX_RELATIVE_MS = 32767; // a SimpleBlock's timecode is an int16 relative to its cluster's

interface Frame {
  data: Uint8Array;
  us: number;
  key: boolean;
}

export class WebmMuxer {
  private readonly track: WebmTrack;
  private readonly frames: Frame[] = [];
  private finished = false;

  constructor(track: WebmTrack) {
    checkSize('width', track.width);
    checkSize('height', track.height);
    if (track.codec !== 'V_VP8' && track.codec !== 'V_VP9') {
      throw new Error(`webm: codec must be 'V_VP8' or 'V_VP9', not ${JSON.stringify(track.codec)}`);
    }
    const fps = track.frameRate;
    if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) {
      throw new Error(`webm: frameRate must be a positive number, not ${fps}`);
    }
    this.track = { ...track };
  }

  /** One encoded frame: its bytes, presentation time in microseconds (non-decreasing), whether it is a key frame. */
  addFrame(data: Uint8Array, timestampUs: number, keyFrame: boolean): void {
    if (this.finished) throw new Error('webm: addFrame after finish()');
    if (!(data instanceof Uint8Array) || data.length === 0) throw new Error('webm: a frame needs at least one byte of data');
    if (!(Number.isFinite(timestampUs) && timestampUs >= 0)) {
      throw new Error(`webm: timestamp ${timestampUs} µs is not a finite non-negative number`);
    }
    const last = this.frames[this.frames.length - 1];
    if (!last && !keyFrame) throw new Error('webm: the first frame must be a key frame');
    if (last && timestampUs < last.us) {
      throw new Error(`webm: timestamp ${timestampUs} µs is before the previous frame's ${last.us} µs`);
    }
    // a copy: encoders and callers may reuse their buffers
    this.frames.push({ data: data.slice(), us: timestampUs, key: keyFrame });
  }

  /** The whole file (EBML header, Segment with SeekHead, Info with Duration and TimecodeScale 1 ms, Tracks, Clusters of SimpleBlocks, Cues for key frames). */
  finish(): Uint8Array {
    if (this.finished) throw new Error('webm: finish() called twice');
    if (this.frames.length === 0) throw new Error('webm: no frames to write');
    this.finished = true;

    const info = element(INFO,
      uintElement(TIMECODE_SCALE, 1_000_000),
      floatElement(DURATION, this.durationMs()),
      stringElement(MUXING_APP, APP),
      stringElement(WRITING_APP, APP));
    const tracks = element(TRACKS, this.trackEntry());
    // SeekHead positions are written 8 bytes wide, so its size is known before the positions are
    const seekHeadLength = seekHead(0, 0, 0).length;
    const infoAt = seekHeadLength, tracksAt = infoAt + info.length;
    const { clusters, cues } = this.clustersAndCues(tracksAt + tracks.length);
    const cuesAt = tracksAt + tracks.length + clusters.length;
    const segment = element(SEGMENT, seekHead(infoAt, tracksAt, cuesAt), info, tracks, clusters, cues);
    const out = flatten(join([ebmlHeader(), segment]));
    this.frames.length = 0; // let the frames go
    return out;
  }

  /** The last frame's time plus one frame's duration (1/frameRate, else the last interval). */
  private durationMs(): number {
    const n = this.frames.length, last = this.frames[n - 1].us;
    const frameUs = this.track.frameRate ? 1e6 / this.track.frameRate : n > 1 ? last - this.frames[n - 2].us : 0;
    return (last + frameUs) / 1000;
  }

  private trackEntry(): Pieces {
    const { codec, width, height, frameRate } = this.track;
    return element(TRACK_ENTRY,
      uintElement(TRACK_NUMBER, TRACK),
      uintElement(TRACK_UID, 1),
      uintElement(TRACK_TYPE, 1), // video
      uintElement(FLAG_LACING, 0),
      stringElement(CODEC_ID, codec),
      ...(frameRate ? [uintElement(DEFAULT_DURATION, Math.round(1e9 / frameRate))] : []),
      element(VIDEO, uintElement(PIXEL_WIDTH, width), uintElement(PIXEL_HEIGHT, height)));
  }

  /** Clusters (the first at segment data offset `firstAt`) and the Cues pointing at key frames. */
  private clustersAndCues(firstAt: number): { clusters: Pieces; cues: Pieces } {
    const clusters: Pieces[] = [], cuePoints: Pieces[] = [];
    let at = firstAt, blocks: Body[] = [], clusterMs = 0;
    const close = (): void => {
      if (blocks.length === 0) return;
      const cluster = element(CLUSTER, uintElement(TIMECODE, clusterMs), ...blocks);
      clusters.push(cluster);
      at += cluster.length;
      blocks = [];
    };
    for (const f of this.frames) {
      const ms = Math.round(f.us / 1000);
      if (f.key || blocks.length === 0 || ms - clusterMs > MAX_RELATIVE_MS) {
        close();
        clusterMs = ms;
        if (f.key) {
          cuePoints.push(element(CUE_POINT, uintElement(CUE_TIME, ms),
            element(CUE_TRACK_POSITIONS, uintElement(CUE_TRACK, TRACK), uintElement(CUE_CLUSTER_POSITION, at))));
        }
      }
      blocks.push(simpleBlock(f, ms - clusterMs));
    }
    close();
    return { clusters: join(clusters), cues: element(CUES, ...cuePoints) };
  }
}

function checkSize(name: string, v: number): void {
  if (!(Number.isSafeInteger(v) && v > 0)) throw new Error(`webm: ${name} must be a positive integer, not ${v}`);
}

/** A SimpleBlock: track number (an EBML vint), int16 time relative to the cluster, flags, the frame. */
function simpleBlock(f: Frame, relativeMs: number): Pieces {
  const head = new Uint8Array(4);
  head[0] = 0x80 | TRACK;
  new DataView(head.buffer).setInt16(1, relativeMs);
  head[3] = f.key ? 0x80 : 0; // keyframe flag; no lacing
  return element(SIMPLE_BLOCK, head, f.data);
}

function ebmlHeader(): Pieces {
  return element(EBML,
    uintElement(EBML_VERSION, 1),
    uintElement(EBML_READ_VERSION, 1),
    uintElement(EBML_MAX_ID_LENGTH, 4),
    uintElement(EBML_MAX_SIZE_LENGTH, 8),
    stringElement(DOC_TYPE, 'webm'),
    uintElement(DOC_TYPE_VERSION, 4),
    uintElement(DOC_TYPE_READ_VERSION, 2));
}

/** Positions are offsets from the start of the Segment's data. */
function seekHead(infoAt: number, tracksAt: number, cuesAt: number): Pieces {
  const seek = (id: number, at: number): Pieces =>
    element(SEEK, element(SEEK_ID, idBytes(id)), uintElement(SEEK_POSITION, at, 8));
  return element(SEEK_HEAD, seek(INFO, infoAt), seek(TRACKS, tracksAt), seek(CUES, cuesAt));
}
