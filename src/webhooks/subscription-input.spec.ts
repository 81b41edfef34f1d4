import { checkTopicsForVersion, checkUrl, parseSubscriptionVersion, parseTopics } from './subscription-input';

describe('webhook subscription input', () => {
  it('takes known topics, each once, in the order given', () => {
    expect(parseTopics(' ticket.closed,ticket.state.updated,ticket.closed ')).toEqual([
      'ticket.closed',
      'ticket.state.updated',
    ]);
    expect(() => parseTopics('ticket.closed,ticket.opened')).toThrow(
      /^--topics: unknown topic "ticket.opened"; the topics are ticket.attribute.updated, /,
    );
    expect(() => parseTopics(' , ')).toThrow('--topics: no topic given');
  });

  it('takes the versions the tickets API serves, Unstable as Preview', () => {
    expect(parseSubscriptionVersion('2.9', '--version')).toBe('2.9');
    expect(parseSubscriptionVersion('2.16', '--version')).toBe('2.16');
    expect(parseSubscriptionVersion('Unstable', '--version')).toBe('Preview');
    expect(() => parseSubscriptionVersion('2.8', '--version')).toThrow(
      '--version: version 2.8 has no tickets API; use 2.9–2.16, Preview or Unstable',
    );
    expect(() => parseSubscriptionVersion('3.0', '--version')).toThrow('--version: unknown version "3.0"');
    expect(() => parseSubscriptionVersion('preview', '--version')).toThrow('unknown version "preview"');
  });

  it('refuses ticket.resolved below 2.15, saying from when it exists', () => {
    expect(() => checkTopicsForVersion(['ticket.resolved'], '2.15')).not.toThrow();
    expect(() => checkTopicsForVersion(['ticket.resolved'], 'Preview')).not.toThrow();
    expect(() => checkTopicsForVersion(['ticket.closed', 'ticket.resolved'], '2.14')).toThrow(
      /^--topics: ticket.resolved exists from version 2.15 on, and this subscription is 2.14/,
    );
  });

  it('takes absolute http(s) URLs only', () => {
    expect(checkUrl('https://example.com/hooks?x=1#frag', false)).toBe('https://example.com/hooks?x=1');
    expect(checkUrl('http://example.com', false)).toBe('http://example.com/');
    expect(() => checkUrl('example.com/hooks', false)).toThrow(
      '--url: "example.com/hooks" is not a valid URL',
    );
    expect(() => checkUrl('ftp://example.com/', false)).toThrow(
      'must be an http:// or https:// URL (got ftp)',
    );
    expect(() => checkUrl(`https://example.com/${'a'.repeat(2100)}`, false)).toThrow('longer than 2048');
  });

  it.each([
    'http://127.0.0.1:8080/',
    'http://10.0.0.5/',
    'http://[::1]/',
    'http://[::ffff:7f00:1]/',
    'http://localhost:3000/',
    'http://api.localhost/',
    'http://169.254.169.254/latest',
  ])('refuses %s unless private URLs are allowed', (url) => {
    expect(() => checkUrl(url, false)).toThrow(
      /^--url: .* is a loopback, private or otherwise non-public address/,
    );
    expect(checkUrl(url, true)).toBe(new URL(url).href);
  });
});
