import { findJsonSyntaxError, lineAndColumn } from './json-position';

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a": 1}', null],
    ['[1, "two", {"x": [true, false, null]}, -1.5e3]', null],
    ['{"a": 1,\n "b" 2}', { line: 2, column: 6, reason: 'unexpected character "2"' }],
    ['{"workspace": {"id": "x"', { line: 1, column: 25, reason: 'unexpected end of input' }],
    ['{"a": [1, 2,]}', { line: 1, column: 13, reason: 'unexpected character "]"' }],
    ['{"a": 1} x', { line: 1, column: 10, reason: 'unexpected character "x"' }],
    ['{\n  "a": tru\n}', { line: 2, column: 8, reason: 'unexpected character "t"' }],
    ['{"a": "tab\there"}', { line: 1, column: 11, reason: 'unexpected character "\\t"' }],
    ['{"a": "\\x"}', { line: 1, column: 8, reason: 'unexpected character "\\\\"' }],
    ['{a: 1}', { line: 1, column: 2, reason: 'unexpected character "a"' }],
    ['', { line: 1, column: 1, reason: 'unexpected end of input' }],
  ])('%j', (text, expected) => {
    expect(findJsonSyntaxError(text)).toEqual(expected);
    if (expected === null) expect(() => JSON.parse(text) as unknown).not.toThrow();
    else expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
  });

  it('scans deep nesting without recursion', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(99_999);
    expect(findJsonSyntaxError(deep)).toEqual({
      line: 1,
      column: 200_000,
      reason: 'unexpected end of input',
    });
  });
});

describe('lineAndColumn', () => {
  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\ncd\nef', 8)).toEqual({ line: 3, column: 3 });
  });
});
