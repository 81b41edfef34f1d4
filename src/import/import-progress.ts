/** What an import reports while it runs: the CLI shows it on a terminal, so a large import (50,000 tickets
 * take seconds) does not sit silent. */
export type ImportStep =
  'reading' | 'validating' | 'checking' | 'contacts' | 'tickets' | 'ticket parts' | 'committing';

export type ImportProgress = { step: ImportStep; done: number; total: number };

export type OnImportProgress = (progress: ImportProgress) => void;

/** One line, e.g. `importing: tickets 12,000/50,000 (24%)`, without a line end (it is rewritten in place). */
export function formatProgress({ step, done, total }: ImportProgress): string {
  if (total <= 0) return `importing: ${step}`;
  const percent = Math.floor((Math.min(done, total) / total) * 100);
  return `importing: ${step} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${percent}%)`;
}

/** Erase the terminal's current line: carriage return, then ANSI "erase to end of line". */
const ERASE_LINE = '\r\u001b[K';

/**
 * Progress rewritten in place on a terminal. For anything else (a pipe, a file, CI logs) there is none: the
 * CLI's output stays its one-line summary and its messages. `finish` erases the line before anything follows.
 */
export function terminalProgress(stream: { isTTY?: boolean; write(text: string): boolean }): {
  report: OnImportProgress;
  finish: () => void;
} {
  if (stream.isTTY !== true) return { report: () => undefined, finish: () => undefined };
  let last = '';
  return {
    report: (progress) => {
      const line = formatProgress(progress);
      if (line === last) return;
      last = line;
      stream.write(`${ERASE_LINE}${line}`);
    },
    finish: () => {
      if (last !== '') stream.write(ERASE_LINE);
      last = '';
    },
  };
}
