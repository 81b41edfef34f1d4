import { formatProgress, terminalProgress } from './import-progress';

describe('formatProgress', () => {
  it('shows a step with counts and a percentage', () => {
    expect(formatProgress({ step: 'tickets', done: 12000, total: 50000 })).toBe(
      'importing: tickets 12,000/50,000 (24%)',
    );
  });

  it('shows a step without counts when it has none', () => {
    expect(formatProgress({ step: 'checking', done: 0, total: 0 })).toBe('importing: checking');
  });

  it('never shows more than 100%', () => {
    expect(formatProgress({ step: 'ticket parts', done: 7, total: 5 })).toBe(
      'importing: ticket parts 7/5 (100%)',
    );
  });
});

describe('terminalProgress', () => {
  const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, written, write: (text: string) => written.push(text) > 0 };
  };

  it('writes nothing when the stream is not a terminal', () => {
    const out = stream(false);
    const progress = terminalProgress(out);
    progress.report({ step: 'tickets', done: 1, total: 2 });
    progress.finish();
    expect(out.written).toEqual([]);
  });

  it('rewrites one line in place on a terminal and erases it when finished', () => {
    const out = stream(true);
    const progress = terminalProgress(out);
    progress.report({ step: 'tickets', done: 0, total: 2 });
    progress.report({ step: 'tickets', done: 0, total: 2 });
    progress.report({ step: 'tickets', done: 2, total: 2 });
    progress.finish();
    expect(out.written).toEqual([
      '\r\u001b[Kimporting: tickets 0/2 (0%)',
      '\r\u001b[Kimporting: tickets 2/2 (100%)',
      '\r\u001b[K',
    ]);
  });
});
