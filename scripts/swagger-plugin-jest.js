// The @nestjs/swagger CLI plugin as a ts-jest AST transformer (jest.config.js passes it the options nest-cli.json
// gives `nest build`), so that specs see the same OpenAPI metadata as dist/. The package exports only
// `before(options, program)`; ts-jest wants a module with name, version and factory (as the NestJS docs show).
'use strict';
const { before } = require('@nestjs/swagger/plugin');

module.exports = {
  name: 'nestjs-swagger-plugin',
  // Part of ts-jest's cache key, with the options: bump it when this file changes.
  version: 1,
  factory: (compiler, options) =>
    // ts-jest's `program` is the language service's first Program; the plugin needs the one being emitted (its
    // type checker must own the source file), which the language service's getProgram() returns during an emit.
    before({ ...options }, compiler._languageService?.getProgram() ?? compiler.program),
};
