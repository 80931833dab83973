/** Where the command line writes: stdout for results, stderr for progress, notes and errors. */
export interface CliStream {
  /** Writes text as given (no newline added). */
  write(text: string): void;
  /** True when the stream is an interactive terminal (progress bars are drawn only then). */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

/** The streams {@link run} uses; tests pass in-memory ones, `main` passes the process's. */
export interface CliIo {
  /** Results only (with `--json`: exactly one JSON document). */
  stdout: CliStream;
  /** Progress, notes, warnings and errors. */
  stderr: CliStream;
}

/** An in-memory {@link CliIo} that records everything written, for tests and embedding. */
export interface CapturedIo extends CliIo {
  /** Everything written to stdout so far. */
  readonly out: () => string;
  /** Everything written to stderr so far. */
  readonly err: () => string;
}

/** Creates a {@link CapturedIo}; `isTTY` sets both streams' terminal flag (default false). */
export function captureIo(options: { isTTY?: boolean } = {}): CapturedIo {
  let out = '';
  let err = '';
  const isTTY = options.isTTY ?? false;
  return {
    stdout: {
      write: (text) => {
        out += text;
      },
      isTTY,
    },
    stderr: {
      write: (text) => {
        err += text;
      },
      isTTY,
      columns: 80,
    },
    out: () => out,
    err: () => err,
  };
}
