// What every operator command gets: its environment, two output streams and stdin. Commands return
// an exit code instead of calling process.exit, so tests run them in-process as well as through npm.
import { readFileSync } from 'node:fs';

export interface OperatorIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
}

export type OperatorCommand = (args: readonly string[], io: OperatorIo) => Promise<number>;

/** A failure the operator can act on: printed as one "✗" line, exit code 1. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
}

/** Wrong or missing arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Keys and tokens are small; a cap keeps a wrong file (a log, an archive) from being read whole. */
export const MAX_INPUT_BYTES = 64 * 1024;

export function readTextInput(path: string | undefined, io: OperatorIo, what: string): Promise<string> {
  if (path === undefined || path === '-') return io.readStdin();
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_INPUT_BYTES) {
      throw new OperatorError(`${path} is ${bytes.length} bytes; ${what} is at most ${MAX_INPUT_BYTES}`);
    }
    text = bytes.toString('utf8');
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new OperatorError(`cannot read ${what} from ${path} (${code})`);
  }
  return Promise.resolve(text);
}

export function processIo(): OperatorIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    readStdin: async () => {
      if (process.stdin.isTTY) {
        throw new UsageError('nothing on stdin: pass a file, or pipe the input in');
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_INPUT_BYTES) throw new OperatorError(`stdin holds more than ${MAX_INPUT_BYTES} bytes`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
