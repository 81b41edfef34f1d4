import type { OpenAPIObject } from '@nestjs/swagger';
import { MIN_VERSION_EXTENSION } from '../common/versioning/min-version.decorator';
import { addSchemas, editSchema, nullableRef, ref, removeProperties, setProperties } from './openapi-edit';
import { documentForVersion, type OpenApiVersionChange, VersionedDocuments } from './openapi-versions';

const versionHeader = {
  name: 'Intercom-Version',
  in: 'header' as const,
  required: false,
  schema: { type: 'string', default: '2.9', example: '2.9' },
};

/** A small generated-like document: a 2.9 route and a 2.12 one, a schema each, and one nothing uses later. */
function base(): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 'T', version: '2.9', description: 'Base.' },
    paths: {
      '/things/{id}': {
        put: {
          operationId: 'updateThing',
          parameters: [versionHeader, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { content: { 'application/json': { schema: ref('thing_request') } } },
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: ref('thing') } } },
          },
          [MIN_VERSION_EXTENSION]: '2.9',
        } as OpenAPIObject['paths'][string]['put'],
      },
      '/later': {
        get: {
          operationId: 'later',
          parameters: [versionHeader],
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: ref('later') } } },
          },
          [MIN_VERSION_EXTENSION]: '2.12',
        } as OpenAPIObject['paths'][string]['get'],
      },
      '/health': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: {
      schemas: {
        thing: {
          type: 'object',
          properties: { id: { type: 'string' }, old: { type: 'string' } },
          required: ['id', 'old'],
        },
        thing_request: { type: 'object', properties: { assignment: ref('assignment') } },
        assignment: { type: 'object', properties: { admin_id: { type: 'string' } } },
        later: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
  };
}

const changes: OpenApiVersionChange[] = [
  {
    version: '2.10',
    description: 'adds open',
    document: editSchema('thing', setProperties({ open: { type: 'boolean' } }, 'always')),
  },
  {
    version: '2.14',
    description: 'drops old and the nested assignment',
    document: (doc) =>
      [
        editSchema('thing', removeProperties('old')),
        editSchema(
          'thing_request',
          removeProperties('assignment'),
          setProperties({ admin_id: { type: 'integer' } }, 'optional'),
        ),
      ].reduce((current, edit) => edit(current), doc),
  },
];

describe('documentForVersion', () => {
  it('applies the changes up to the version, in order, and no later one', () => {
    const at = (version: '2.9' | '2.10' | '2.14') =>
      documentForVersion(base(), version, changes).components!.schemas!;
    expect(at('2.9').thing).toEqual(base().components!.schemas!.thing);
    expect(at('2.10').thing).toMatchObject({ required: ['id', 'old', 'open'] });
    expect(at('2.14').thing).toEqual({
      type: 'object',
      properties: { id: { type: 'string' }, open: { type: 'boolean' } },
      required: ['id', 'open'],
    });
  });

  it('leaves out the routes of later versions (@MinVersion) and prunes the schemas nothing uses', () => {
    const doc29 = documentForVersion(base(), '2.9', changes);
    expect(Object.keys(doc29.paths)).toEqual(['/things/{id}', '/health']);
    expect(Object.keys(doc29.components!.schemas!).sort()).toEqual(['assignment', 'thing', 'thing_request']);
    const doc214 = documentForVersion(base(), '2.14', changes);
    expect(Object.keys(doc214.paths)).toEqual(['/things/{id}', '/later', '/health']);
    expect(Object.keys(doc214.components!.schemas!).sort()).toEqual(['later', 'thing', 'thing_request']);
  });

  it('defaults Intercom-Version to the version in every operation, and names it in the info', () => {
    const doc = documentForVersion(base(), 'Preview', changes);
    for (const operation of [doc.paths['/things/{id}'].put!, doc.paths['/later'].get!]) {
      expect(operation.parameters![0]).toEqual({
        ...versionHeader,
        schema: { type: 'string', default: 'Preview', example: 'Preview' },
      });
    }
    expect(doc.info.version).toBe('Preview');
    expect(doc.info.description).toMatch(
      /^Intercom API version \*\*Preview\*\*: .*`Intercom-Version: Preview`\. Base\.$/,
    );
  });

  it('leaves its input as it was', () => {
    const input = base();
    documentForVersion(input, 'Preview', changes);
    expect(input).toEqual(base());
  });
});

describe('VersionedDocuments', () => {
  it('builds each version once, from one base, and serves its JSON', () => {
    const build = jest.fn(base);
    const documents = new VersionedDocuments(build, changes);
    expect(documents.document('2.10')).toBe(documents.document('2.10'));
    expect(JSON.parse(documents.json('2.14'))).toEqual(documents.document('2.14'));
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('refuses changes out of version order', () => {
    expect(() => new VersionedDocuments(base, [...changes].reverse())).toThrow(
      /out of order: 2\.14 before 2\.10/,
    );
  });

  it('fails a change that mutates the document instead of returning a new one', () => {
    const mutating: OpenApiVersionChange = {
      version: '2.10',
      description: 'mutates',
      document: (doc) => {
        doc.info.title = 'changed';
        return doc;
      },
    };
    expect(() => new VersionedDocuments(base, [mutating]).document('2.10')).toThrow(TypeError);
  });
});

describe('OpenAPI edits', () => {
  const doc = base();

  it('say which schema, property or route they miss, rather than doing nothing', () => {
    expect(() => editSchema('nope')(doc)).toThrow('no schema nope');
    expect(() => editSchema('thing', removeProperties('nope'))(doc)).toThrow('no property nope');
    expect(() => addSchemas({ thing: { type: 'object' } })(doc)).toThrow('schema thing exists already');
  });

  it('keep `required` to what is always there', () => {
    const edited = editSchema(
      'thing',
      setProperties({ old: { type: 'string' } }, 'optional'),
      setProperties({ extra: nullableRef('later') }, 'always'),
    )(doc).components!.schemas!.thing;
    expect(edited).toMatchObject({ required: ['id', 'extra'] });
    expect(edited).toHaveProperty('properties.extra', {
      type: 'object',
      nullable: true,
      allOf: [ref('later')],
    });
    const none = editSchema('thing', removeProperties('id', 'old'))(doc).components!.schemas!.thing;
    expect(JSON.parse(JSON.stringify(none))).toEqual({ type: 'object', properties: {} });
  });
});
