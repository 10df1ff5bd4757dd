import { close, createReadStream, fstat, open, type ReadStream, read } from "node:fs";
import { promisify } from "node:util";
import etag from "etag";
import { LRUCache } from "lru-cache";

const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
/**
 * What a read stream of an open file reads and closes with: a destroyed stream closes its
 * descriptor even with autoClose off, and this one belongs to every request that leases the file.
 */
const KEEP_OPEN = { read, close: (_fd: number, done: (err: null) => void) => done(null) };
/** Errors that mean there is no such file, as send answered them (404), rather than a fault. */
const MISSING = new Set(["ENOENT", "ENOTDIR", "ENAMETOOLONG"]);

/**
 * A media file held open, with the validators its responses carry, in the form send wrote them: a
 * weak ETag of size and mtime, and the mtime as an HTTP date. Every request that reads it holds a
 * lease, so that its descriptor is closed only when the last one is done, never under a read (a
 * closed descriptor's number is soon another file's).
 */
export class OpenFile {
  #leases = 1;
  #retired = false;

  constructor(
    private readonly fd: number,
    readonly size: number,
    readonly etag: string,
    readonly lastModified: string,
  ) {}

  /** `length` bytes from `start`; rejects if the file is shorter than when it was opened. */
  async read(start: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await readAsync(this.fd, buffer, 0, length, start);
    if (bytesRead !== length) throw new Error(`short read: ${bytesRead} of ${length} bytes at ${start}`);
    return buffer;
  }

  /**
   * Bytes `start` to `end` inclusive, read `chunkBytes` at a time. Its 'close' comes once its last
   * read is done, ended or destroyed: the lease must last until then.
   */
  stream(start: number, end: number, chunkBytes: number): ReadStream {
    return createReadStream("", { fd: this.fd, fs: KEEP_OPEN, start, end, highWaterMark: chunkBytes });
  }

  lease(): this {
    this.#leases++;
    return this;
  }

  release(): void {
    this.#leases--;
    this.#closeIfDone();
  }

  /** It left the cache: it closes once the requests reading it are done. */
  retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.#closeIfDone();
  }

  #closeIfDone() {
    if (this.#retired && this.#leases === 0) closeQuietly(this.fd);
  }
}

export interface OpenFilesOptions {
  /** Files kept open at most; the least recently served one closes first. */
  max: number;
  /** How long an open file is trusted; then it is opened again by its path. */
  checkMs: number;
}

/**
 * Media files kept open between requests, so that serving one costs a positional read rather than
 * send's stat, open, read and close (each a trip through libuv's thread pool). Published files
 * never change: the ingest writes an asset in a private directory and renames it into place, and a
 * re-ingest or a removal replaces or unlinks the directory, never a file's bytes. So what was read
 * when a file was opened holds while it is open, and reopening it by path every `checkMs` is how a
 * replaced or removed file shows (as nginx's open_file_cache revalidates). Files that missed
 * together are each opened; the first one in is kept and the others close after their request.
 */
export class OpenFiles {
  readonly #cache: LRUCache<string, OpenFile>;

  constructor(opts: OpenFilesOptions) {
    this.#cache = new LRUCache<string, OpenFile>({
      max: opts.max,
      ttl: opts.checkMs,
      // Expired files close on time even when no request comes for them, releasing unlinked ones' disk.
      ttlAutopurge: true,
      dispose: (file) => file.retire(),
    });
  }

  /** The regular file at `filePath`, leased until its release(); undefined when there is none. */
  async lease(filePath: string): Promise<OpenFile | undefined> {
    const cached = this.#cache.get(filePath);
    if (cached !== undefined) return cached.lease();
    const opened = await openFile(filePath);
    if (opened === undefined) return undefined;
    if (this.#cache.has(filePath)) opened.retire();
    else this.#cache.set(filePath, opened);
    return opened;
  }
}

async function openFile(filePath: string): Promise<OpenFile | undefined> {
  const fd = await openAsync(filePath, "r").catch((err: NodeJS.ErrnoException) => {
    if (MISSING.has(err.code ?? "")) return undefined;
    throw err;
  });
  if (fd === undefined) return undefined;
  const stats = await fstatAsync(fd).catch((err: unknown) => {
    closeQuietly(fd);
    throw err;
  });
  if (stats.isFile()) return new OpenFile(fd, stats.size, etag(stats), stats.mtime.toUTCString());
  closeQuietly(fd); // a directory by a media file's name
  return undefined;
}

/** A descriptor opened read-only has nothing to flush: a failed close loses nothing. */
function closeQuietly(fd: number) {
  close(fd, () => {});
}
