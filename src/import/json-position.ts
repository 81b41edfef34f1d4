/** Where JSON text stops being valid, for a message a person can act on (`file:line:column`). Node 20's
 * JSON.parse names the offending token but not always its position, so the text is scanned again (only after
 * JSON.parse failed). The scan keeps its own stack: a deeply nested file cannot overflow the call stack. */

export type JsonSyntaxError = { line: number; column: number; reason: string };

type Expect = 'value' | 'first-value' | 'key' | 'first-key' | 'colon' | 'after';

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

/** The first syntax error in `text` as 1-based line and column (UTF-16 code units), or null if it is valid. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const offset = firstInvalidOffset(text);
  if (offset === null) return null;
  const reason =
    offset >= text.length
      ? 'unexpected end of input'
      : `unexpected character ${JSON.stringify(text[offset])}`;
  return { ...lineAndColumn(text, offset), reason };
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function firstInvalidOffset(text: string): number | null {
  const stack: ('object' | 'array')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  for (;;) {
    while (i < text.length && WHITESPACE.has(text[i])) i += 1;
    if (i >= text.length) return expect === 'after' && stack.length === 0 ? null : text.length;
    const c = text[i];
    switch (expect) {
      case 'value':
      case 'first-value': {
        if (c === ']' && expect === 'first-value') {
          stack.pop();
          i += 1;
          expect = 'after';
        } else if (c === '{' || c === '[') {
          stack.push(c === '{' ? 'object' : 'array');
          i += 1;
          expect = c === '{' ? 'first-key' : 'first-value';
        } else {
          const end = endOfScalar(text, i);
          if (end < 0) return -end - 1;
          i = end;
          expect = 'after';
        }
        break;
      }
      case 'key':
      case 'first-key': {
        if (c === '}' && expect === 'first-key') {
          stack.pop();
          i += 1;
          expect = 'after';
          break;
        }
        if (c !== '"') return i;
        const end = endOfString(text, i);
        if (end < 0) return -end - 1;
        i = end;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return i;
        i += 1;
        expect = 'value';
        break;
      case 'after': {
        const top = stack.at(-1);
        if (top === undefined) return i;
        if (c === ',') {
          i += 1;
          expect = top === 'object' ? 'key' : 'value';
        } else if (c === (top === 'object' ? '}' : ']')) {
          stack.pop();
          i += 1;
        } else {
          return i;
        }
        break;
      }
      default: {
        const never: never = expect;
        throw new Error(`unhandled state ${String(never)}`);
      }
    }
  }
}

/** The offset after a string, number or literal starting at `start`; an error at offset k is -(k + 1). */
function endOfScalar(text: string, start: number): number {
  if (text[start] === '"') return endOfString(text, start);
  NUMBER.lastIndex = start;
  if (NUMBER.test(text)) return NUMBER.lastIndex;
  for (const literal of LITERALS) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  return -(start + 1);
}

function endOfString(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j += 1) {
    const c = text[j];
    if (c === '"') return j + 1;
    if (c.charCodeAt(0) < 0x20) return -(j + 1);
    if (c === '\\') {
      const next = text[j + 1];
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) return -(j + 1);
        j += 5;
      } else if (next !== undefined && ESCAPES.has(next)) {
        j += 1;
      } else {
        return -(j + 1);
      }
    }
  }
  return -(text.length + 1);
}
