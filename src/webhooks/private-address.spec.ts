import { isPrivateAddress, publicOnlyLookup } from './private-address';

describe('private addresses (webhook safety)', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '0.0.0.0',
    '100.64.0.1', // CGNAT
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe', // mapped 169.254.169.254
    '64:ff9b::10.0.0.1', // NAT64 of a private address
    '2002:c0a8:0101::1', // 6to4 of 192.168.1.1
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '2001:db8::1',
    '2001::1', // Teredo
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:0808:0808::1',
  ])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses a name that resolves to a private address, before any connection', async () => {
    const result = await new Promise<{ code?: string; address: unknown }>((resolve) =>
      publicOnlyLookup('localhost', { all: true }, (error, address) =>
        resolve({ code: (error as { code?: string } | null)?.code, address }),
      ),
    );
    expect(result.code).toBe('EPRIVATEADDRESS');
  });
});
