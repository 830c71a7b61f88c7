import type { Readable } from 'node:stream';

/** What a store decided about a file from its first bytes. */
export interface Accepted {
  ext: string;
  contentType: string;
}

export interface SaveOptions {
  maxBytes: number;
  /** Looks at the first bytes (up to 4100) and accepts the file, or refuses it with null. */
  accept(head: Buffer): Promise<Accepted | null>;
  /** The key to store under, given the accepted extension (with its dot). */
  key(ext: string): string;
}

export interface Saved {
  key: string;
  url: string;
  size: number;
  contentType: string;
}

export type RejectReason = 'empty' | 'type' | 'size';

export class FileRejected extends Error {
  constructor(readonly reason: RejectReason) {
    super(`file rejected: ${reason}`);
    this.name = 'FileRejected';
  }
}

/**
 * Where uploads go. `save` streams (never buffers a whole file), checks size and content, and
 * leaves nothing behind when it fails or the client aborts.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  save(source: Readable, opts: SaveOptions): Promise<Saved>;
  close?(): Promise<void>;
}

/** Grabs one frame of a video as an image. */
export interface FrameGrabber {
  /** Whether the tool is installed and runs. */
  available(): Promise<boolean>;
  grab(input: string, atSeconds: number, width: number | undefined, format: 'png' | 'jpg'): Promise<Buffer>;
}

export const HEAD_BYTES = 4100;

/** Fetches a remote file into a local one, refusing non-public addresses. */
export type Downloader = (url: URL, dest: string, limits: { maxBytes: number; timeoutMs: number }) => Promise<void>;
