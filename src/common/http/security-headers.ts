import type { IncomingMessage, ServerResponse } from 'node:http';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** What a header middleware does to every response: headers to set, and headers to remove. */
export type HeaderEdits = { set: [name: string, value: string | string[]][]; remove: string[] };

/**
 * Runs a middleware that only sets response headers (helmet) once, against a recording response, and returns what
 * it did, to replay on every response (`applyHeaderEdits`) instead of running it per request (README
 * "Performance"). Throws if the middleware reads the request, does anything else to the response, or does not
 * finish synchronously: then its headers might depend on the request, and replaying them would be wrong.
 */
export function recordHeaderEdits(middleware: Middleware): HeaderEdits {
  const edits: HeaderEdits = { set: [], remove: [] };
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      edits.set.push([name, typeof value === 'number' ? String(value) : (value as string | string[])]);
    },
    removeHeader: (name: string) => {
      edits.remove.push(name);
    },
  };
  const request = new Proxy(
    {},
    {
      get: (_target, property) => {
        throw new Error(
          `the header middleware reads the request (${String(property)}): it cannot be replayed`,
        );
      },
    },
  );
  const unexpected = new Proxy(response, {
    get: (target, property) => {
      if (property === 'setHeader' || property === 'removeHeader') return target[property];
      throw new Error(`the header middleware uses the response's ${String(property)}: it cannot be replayed`);
    },
    set: (_target, property) => {
      throw new Error(`the header middleware sets the response's ${String(property)}: it cannot be replayed`);
    },
  });
  let finished = false;
  middleware(request as IncomingMessage, unexpected as unknown as ServerResponse, (error) => {
    if (error) throw error instanceof Error ? error : new Error('the header middleware failed');
    finished = true;
  });
  if (!finished)
    throw new Error('the header middleware did not call next() synchronously: it cannot be replayed');
  return edits;
}

export function applyHeaderEdits(res: ServerResponse, edits: HeaderEdits): void {
  for (const name of edits.remove) res.removeHeader(name);
  for (const [name, value] of edits.set) res.setHeader(name, value);
}
