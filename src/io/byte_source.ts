/**
 * Reading parts of a large file — a URL, a browser File/Blob, or (in tools/) a file on disk —
 * without holding all of it. The weights readers (safetensors, torch.save) ask for byte ranges;
 * each source turns them into HTTP Range requests, Blob slices or positioned reads.
 *
 * A server that ignores Range answers 200 with the whole body: HttpSource then keeps that one
 * response open and serves the following reads from it front to back, discarding the bytes in
 * between, so nothing is downloaded twice and only the needed bytes are kept. Readers that can
 * work front to back (safetensors, legacy torch.save, zip scanned entry by entry) check
 * `sequentialOnly` and do so.
 */

/** A server without Range support is read once; this much of its start stays in memory for re-reads. */
const PREFIX_KEPT = 4 << 20;

export interface ByteSource {
  /** For messages: a file name or URL. */
  readonly name: string;
  /** Total size in bytes when known (Blob size, Content-Range, Content-Length of a 200). */
  readonly size: number | null;
  /** True once it is known that reads must go front to back (a server without Range support). */
  readonly sequentialOnly: boolean;
  /** True where a read costs no request (a file on this machine or picked in the browser): readers may check bytes they do not need. */
  readonly local?: boolean;
  /** Bytes [start, end); fewer only where the file ends before `end`. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** The last `n` bytes (fewer if the file is shorter) and where they start. */
  readTail(n: number): Promise<{ bytes: Uint8Array; start: number }>;
}

/** Bytes moved so far, for progress lines and tests that count traffic. */
export interface TransferStats {
  requests: number;
  /** Bytes received (kept or discarded). */
  received: number;
}

/** A File or Blob (the page's file picker); each read is a slice. */
export class BlobSource implements ByteSource {
  readonly sequentialOnly = false;
  readonly local = true;
  constructor(private blob: Blob, readonly name: string) {}
  get size(): number {
    return this.blob.size;
  }
  async read(start: number, end: number): Promise<Uint8Array> {
    return new Uint8Array(await this.blob.slice(start, Math.min(end, this.blob.size)).arrayBuffer());
  }
  async readTail(n: number): Promise<{ bytes: Uint8Array; start: number }> {
    const start = Math.max(0, this.blob.size - n);
    return { bytes: await this.read(start, this.blob.size), start };
  }
}

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** Thrown by readTail on a server without Range support: the caller should read front to back. */
export class NoRangeSupport extends Error {
  constructor(url: string) {
    super(`${url}: the server does not support ranged requests`);
    this.name = 'NoRangeSupport';
  }
}

export interface HttpSourceOptions {
  /** fetch to use (tests may wrap it); defaults to the global one. */
  fetch?: typeof fetch;
  /** Called with each chunk's size as bytes arrive. */
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/** A URL read with Range requests (redirects followed by fetch), or front to back if Range is ignored. */
export class HttpSource implements ByteSource {
  size: number | null = null;
  sequentialOnly = false;
  readonly stats: TransferStats = { requests: 0, received: 0 };
  /** The open 200 response of a server that ignored Range, positioned at `pos`. */
  private stream: { reader: ReadableStreamDefaultReader<Uint8Array>; pos: number; pending: Uint8Array | null; prefix: Uint8Array[]; prefixLength: number } | null = null;
  private fetchImpl: typeof fetch;

  constructor(readonly name: string, private options: HttpSourceOptions = {}) {
    this.fetchImpl = options.fetch ?? ((...a) => fetch(...a));
  }

  private async request(range: string): Promise<Response> {
    this.stats.requests++;
    let res: Response;
    try {
      res = await this.fetchImpl(this.name, { headers: { Range: range }, signal: this.options.signal, cache: 'no-store' });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new DownloadError(
        `could not fetch ${this.name}: ${cause ?? (e as Error).message} (offline, the host refused the connection or CORS, or a redirect loop)`,
      );
    }
    if (res.status === 404) throw new DownloadError(`${this.name}: not found (HTTP 404) — check the URL`);
    if (!res.ok && res.status !== 416) throw new DownloadError(`${this.name}: HTTP ${res.status} ${res.statusText}`.trim());
    const type = res.headers.get('content-type') ?? '';
    if (/text\/html/i.test(type)) {
      await res.body?.cancel();
      throw new DownloadError(`${this.name}: the server sent an HTML page (${res.status}), not a weights file — check the URL (a login or error page?)`);
    }
    return res;
  }

  /** Read a response body to the end, counting bytes. */
  private async body(res: Response): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    let n = 0;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await this.nextChunk(reader);
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
    return concat(chunks, n);
  }

  private async nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new DownloadError(`${this.name}: the connection broke off mid-download (${(e as Error).message}); nothing was kept — run again to start over`);
    }
    if (!r.done) {
      this.stats.received += r.value.length;
      this.options.onBytes?.(r.value.length);
    }
    return r;
  }

  private noteSize(res: Response): void {
    const cr = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
    if (cr) this.size = Number(cr[1]);
    else if (res.status === 200 && res.headers.get('content-length')) this.size = Number(res.headers.get('content-length'));
  }

  async read(start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    if (this.stream) return this.streamRead(start, end);
    const res = await this.request(`bytes=${start}-${end - 1}`);
    this.noteSize(res);
    if (res.status === 416) {
      await res.body?.cancel();
      return new Uint8Array(0);
    }
    if (res.status === 200) {
      this.startStream(res);
      return this.streamRead(start, end);
    }
    const bytes = await this.body(res);
    const want = this.size === null ? end - start : Math.max(0, Math.min(end, this.size) - start);
    if (bytes.length !== want) {
      throw new DownloadError(`${this.name}: asked for ${want} bytes at ${start}, got ${bytes.length} (the connection broke off, or the file changed); nothing was kept — run again`);
    }
    return bytes;
  }

  async readTail(n: number): Promise<{ bytes: Uint8Array; start: number }> {
    if (this.stream) throw new NoRangeSupport(this.name);
    const res = await this.request(`bytes=-${n}`);
    this.noteSize(res);
    if (res.status === 200) {
      this.startStream(res);
      throw new NoRangeSupport(this.name);
    }
    const bytes = await this.body(res);
    if (this.size === null) throw new DownloadError(`${this.name}: the server did not say the file's size (no readable Content-Range)`);
    return { bytes, start: this.size - bytes.length };
  }

  private startStream(res: Response): void {
    this.sequentialOnly = true;
    this.stream = { reader: res.body!.getReader(), pos: 0, pending: null, prefix: [], prefixLength: 0 };
  }

  /**
   * Serve [start, end) from the open whole-file response. Reads go forward, except that the
   * first PREFIX_KEPT bytes stay available (headers are read before the data that follows them).
   */
  private async streamRead(start: number, end: number): Promise<Uint8Array> {
    const s = this.stream!;
    const chunks: Uint8Array[] = [];
    let n = 0;
    if (start < s.pos) {
      if (end > s.prefixLength && s.pos > s.prefixLength) throw new Error(`${this.name}: internal error: read at ${start} behind the stream at ${s.pos}`);
      const kept = concat(s.prefix, s.prefixLength).subarray(start, Math.min(end, s.pos));
      chunks.push(kept);
      n += kept.length;
      start = s.pos;
    }
    while (s.pos < end) {
      let chunk = s.pending;
      s.pending = null;
      if (!chunk) {
        const r = await this.nextChunk(s.reader);
        if (r.done) break;
        chunk = r.value;
        if (s.prefixLength < PREFIX_KEPT) {
          s.prefix.push(chunk);
          s.prefixLength += chunk.length;
        }
      }
      const chunkEnd = s.pos + chunk.length;
      if (chunkEnd <= start) {
        s.pos = chunkEnd; // wholly before the range: discard
        continue;
      }
      const from = Math.max(0, start - s.pos);
      const to = Math.min(chunk.length, end - s.pos);
      chunks.push(chunk.subarray(from, to));
      n += to - from;
      if (to < chunk.length) {
        s.pending = chunk.subarray(to); // keep the rest for the next read
        s.pos += to;
      } else s.pos = chunkEnd;
    }
    if (s.pos < start) s.pos = start;
    return concat(chunks, n);
  }

  /** Stop any open response (no more reads are coming). */
  async close(): Promise<void> {
    if (this.stream) await this.stream.reader.cancel().catch(() => {});
    this.stream = null;
  }
}

export function concat(chunks: Uint8Array[], n = chunks.reduce((a, c) => a + c.length, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
