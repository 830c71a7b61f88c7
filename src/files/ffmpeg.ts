import { spawn } from 'node:child_process';
import type { FrameGrabber } from './port.js';

const MAX_OUTPUT = 32 * 1024 * 1024;
const MAX_STDERR = 16 * 1024;

/**
 * Frames through the system's ffmpeg, spawned with an argument list (no shell), a time limit and
 * bounded output. Inputs are decided by the caller (only our own files or allow-listed URLs).
 */
export class FfmpegFrameGrabber implements FrameGrabber {
  private probe: Promise<boolean> | undefined;

  constructor(
    private readonly bin: string,
    private readonly timeoutMs = 20_000,
  ) {}

  available(): Promise<boolean> {
    this.probe ??= new Promise((resolve) => {
      const p = spawn(this.bin, ['-hide_banner', '-version'], { stdio: 'ignore' });
      p.on('error', () => resolve(false));
      p.on('close', (code) => resolve(code === 0));
    });
    return this.probe;
  }

  grab(input: string, atSeconds: number, width: number | undefined, format: 'png' | 'jpg'): Promise<Buffer> {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      // Local files only: remote videos are downloaded (with address checks) before ffmpeg sees them.
      '-protocol_whitelist',
      'file',
      '-ss',
      atSeconds.toFixed(3),
      '-i',
      input,
      '-frames:v',
      '1',
      ...(width ? ['-vf', `scale=${width}:-2`] : []),
      '-f',
      'image2',
      '-c:v',
      format === 'png' ? 'png' : 'mjpeg',
      'pipe:1',
    ];
    return new Promise((resolve, reject) => {
      const p = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let outLen = 0;
      let err = '';
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error('ffmpeg timed out'));
      }, this.timeoutMs);
      p.stdout.on('data', (c: Buffer) => {
        outLen += c.length;
        if (outLen > MAX_OUTPUT) {
          p.kill('SIGKILL');
          return;
        }
        out.push(c);
      });
      p.stderr.on('data', (c: Buffer) => {
        if (err.length < MAX_STDERR) err += c.toString('utf8');
      });
      p.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      p.stdout.on('error', () => p.kill('SIGKILL'));
      p.stderr.on('error', () => p.kill('SIGKILL'));
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 && outLen > 0 && outLen <= MAX_OUTPUT) resolve(Buffer.concat(out));
        else reject(new Error(err.trim().split('\n').pop() || `ffmpeg exited with ${code}`));
      });
    });
  }
}
