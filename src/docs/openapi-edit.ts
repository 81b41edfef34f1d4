import type {
  ExamplesObject,
  OpenAPIObject,
  OperationObject,
  ReferenceObject,
  SchemaObject,
} from '@nestjs/swagger';

/*
 * Pure edits of an OpenAPI document, for the per-version changes (tickets/versions/*): each returns a new document
 * and leaves its input as it was, so every version's document is built from the one generated 2.9 document
 * (openapi-versions.ts) and none can leak into another. An edit that names a schema or an operation the document
 * lacks throws: a change written against the wrong version's document fails at the first request for it, and in
 * the tests, not silently.
 */

export type DocumentEdit = (doc: OpenAPIObject) => OpenAPIObject;
type SchemaEdit = (schema: SchemaObject) => SchemaObject;
type PropertySchema = SchemaObject | ReferenceObject;

const SCHEMA_REF = '#/components/schemas/';

export function ref(name: string): ReferenceObject {
  return { $ref: `${SCHEMA_REF}${name}` };
}

/** A reference that may be null, written as @nestjs/swagger writes one (an `allOf` around the `$ref`). */
export function nullableRef(name: string): SchemaObject {
  return { type: 'object', nullable: true, allOf: [ref(name)] };
}

/** The name a `$ref` to a component schema points to, or undefined for anything else. */
export function refName(schema: unknown): string | undefined {
  const target = (schema as Partial<ReferenceObject> | null)?.$ref;
  return typeof target === 'string' && target.startsWith(SCHEMA_REF)
    ? target.slice(SCHEMA_REF.length)
    : undefined;
}

/** The edits in order, as one. */
export function editDocument(...edits: DocumentEdit[]): DocumentEdit {
  return (doc) => edits.reduce((current, edit) => edit(current), doc);
}

function schemasOf(doc: OpenAPIObject): Record<string, PropertySchema> {
  return doc.components?.schemas ?? {};
}

function withSchemas(doc: OpenAPIObject, schemas: Record<string, PropertySchema>): OpenAPIObject {
  return { ...doc, components: { ...doc.components, schemas } };
}

/** New component schemas (a version's new objects). */
export function addSchemas(schemas: Record<string, SchemaObject>): DocumentEdit {
  return (doc) => {
    for (const name of Object.keys(schemas)) {
      if (schemasOf(doc)[name]) throw new Error(`OpenAPI edit: schema ${name} exists already`);
    }
    return withSchemas(doc, { ...schemasOf(doc), ...schemas });
  };
}

/** Edits one component schema. */
export function editSchema(name: string, ...edits: SchemaEdit[]): DocumentEdit {
  return (doc) => {
    const schema = schemasOf(doc)[name];
    if (!schema || refName(schema)) throw new Error(`OpenAPI edit: no schema ${name} to edit`);
    return withSchemas(doc, {
      ...schemasOf(doc),
      [name]: edits.reduce((current, edit) => edit(current), schema as SchemaObject),
    });
  };
}

/**
 * Adds or replaces properties. `always`: the field is in every body, so it joins `required` (this service's
 * documents list every always-present field as required, test/openapi.e2e-spec.ts); `optional`: it leaves it.
 */
export function setProperties(
  properties: Record<string, PropertySchema>,
  presence: 'always' | 'optional',
): SchemaEdit {
  return (schema) => {
    const names = Object.keys(properties);
    const others = (schema.required ?? []).filter((name) => !names.includes(name));
    const required = presence === 'always' ? [...others, ...names] : others;
    return {
      ...schema,
      properties: { ...schema.properties, ...properties },
      ...(required.length > 0 ? { required } : { required: undefined }),
    };
  };
}

/** Removes properties (and their `required` entries). */
export function removeProperties(...names: string[]): SchemaEdit {
  return (schema) => {
    for (const name of names) {
      if (!schema.properties?.[name]) throw new Error(`OpenAPI edit: no property ${name} to remove`);
    }
    const properties = Object.fromEntries(
      Object.entries(schema.properties ?? {}).filter(([name]) => !names.includes(name)),
    );
    const required = (schema.required ?? []).filter((name) => !names.includes(name));
    return { ...schema, properties, ...(required.length > 0 ? { required } : { required: undefined }) };
  };
}

/** Edits one existing property. */
export function editProperty(name: string, edit: (property: PropertySchema) => PropertySchema): SchemaEdit {
  return (schema) => {
    const property = schema.properties?.[name];
    if (!property) throw new Error(`OpenAPI edit: no property ${name} to edit`);
    return { ...schema, properties: { ...schema.properties, [name]: edit(property) } };
  };
}

type HttpMethod = 'get' | 'put';

/** Edits one operation of the document. */
function editOperation(
  path: string,
  method: HttpMethod,
  edit: (operation: OperationObject) => OperationObject,
): DocumentEdit {
  return (doc) => {
    const operation = doc.paths[path]?.[method];
    if (!operation) throw new Error(`OpenAPI edit: no operation ${method.toUpperCase()} ${path}`);
    return { ...doc, paths: { ...doc.paths, [path]: { ...doc.paths[path], [method]: edit(operation) } } };
  };
}

/** Edits the JSON schema of an operation's request body. */
export function editRequestSchema(
  path: string,
  method: HttpMethod,
  edit: (schema: PropertySchema) => PropertySchema,
): DocumentEdit {
  return editOperation(path, method, (operation) => {
    const body = operation.requestBody;
    if (!body || '$ref' in body) throw new Error(`OpenAPI edit: ${method.toUpperCase()} ${path} has no body`);
    const media = body.content['application/json'];
    if (!media?.schema) throw new Error(`OpenAPI edit: ${method.toUpperCase()} ${path} has no JSON body`);
    return {
      ...operation,
      requestBody: {
        ...body,
        content: { ...body.content, 'application/json': { ...media, schema: edit(media.schema) } },
      },
    };
  });
}

/** Edits the named examples of one JSON response of an operation. */
export function editResponseExamples(
  path: string,
  method: HttpMethod,
  status: string,
  edit: (examples: ExamplesObject) => ExamplesObject,
): DocumentEdit {
  return editOperation(path, method, (operation) => {
    const response = operation.responses[status];
    if (!response || '$ref' in response)
      throw new Error(`OpenAPI edit: ${method.toUpperCase()} ${path} has no ${status}`);
    const media = response.content?.['application/json'];
    if (!media) throw new Error(`OpenAPI edit: ${method.toUpperCase()} ${path} has no JSON ${status}`);
    return {
      ...operation,
      responses: {
        ...operation.responses,
        [status]: {
          ...response,
          content: {
            ...response.content,
            'application/json': { ...media, examples: edit(media.examples ?? {}) },
          },
        },
      },
    };
  });
}
