import type { OpenAPIObject, OperationObject, PathItemObject } from '@nestjs/swagger';
import { MIN_VERSION_EXTENSION } from '../common/versioning/min-version.decorator';
import {
  API_VERSIONS,
  type ApiVersion,
  atLeast,
  compareVersions,
  TICKETS_SINCE,
} from '../common/versioning/versions';
import { type DocumentEdit, editDocument, refName } from './openapi-edit';

/** Every version with a document: those with ticket endpoints (BEHAVIOUR.md §6), oldest first. */
export const DOCUMENTED_VERSIONS: readonly ApiVersion[] = API_VERSIONS.filter((version) =>
  atLeast(version, TICKETS_SINCE),
);

/**
 * One version's change to the document, applied in order from the generated 2.9 document up to the version asked
 * for. The ticket changes (tickets/versions/*) are these, with their body transform beside.
 */
export type OpenApiVersionChange = {
  /** The first version with this change. */
  readonly version: ApiVersion;
  /** What a client of this version sees differently, in a line. */
  readonly description: string;
  /** The previous version's document in, this version's out. Pure: the input is frozen. */
  readonly document: DocumentEdit;
};

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'] as const;

type MinVersioned = OperationObject & { [MIN_VERSION_EXTENSION]?: ApiVersion };

/** Leaves out the operations that do not exist yet at `version` (@MinVersion), and paths left empty. */
function operationsAt(version: ApiVersion): DocumentEdit {
  return (doc) => {
    const paths: Record<string, PathItemObject> = {};
    for (const [path, item] of Object.entries(doc.paths)) {
      const kept: PathItemObject = { ...item };
      for (const method of METHODS) {
        const operation: MinVersioned | undefined = item[method];
        const since = operation?.[MIN_VERSION_EXTENSION];
        if (since && compareVersions(version, since) < 0) delete kept[method];
      }
      if (METHODS.some((method) => kept[method])) paths[path] = kept;
    }
    return { ...doc, paths };
  };
}

/** "Try it out" sends the document's own version: `Intercom-Version` defaults to it in every operation. */
function versionHeaderDefault(version: ApiVersion): DocumentEdit {
  return (doc) => ({
    ...doc,
    paths: Object.fromEntries(
      Object.entries(doc.paths).map(([path, item]) => [
        path,
        Object.fromEntries(
          Object.entries(item).map(([method, operation]) => [
            method,
            METHODS.includes(method as (typeof METHODS)[number])
              ? withVersionDefault(operation as OperationObject, version)
              : operation,
          ]),
        ) as PathItemObject,
      ]),
    ),
  });
}

function withVersionDefault(operation: OperationObject, version: ApiVersion): OperationObject {
  if (!operation.parameters) return operation;
  return {
    ...operation,
    parameters: operation.parameters.map((parameter) =>
      'name' in parameter && parameter.name === 'Intercom-Version' && parameter.in === 'header'
        ? { ...parameter, schema: { ...parameter.schema, default: version, example: version } }
        : parameter,
    ),
  };
}

function info(version: ApiVersion): DocumentEdit {
  return (doc) => ({
    ...doc,
    info: {
      ...doc.info,
      version,
      description:
        `Intercom API version **${version}**: the requests and responses Intercom describes for ` +
        `\`Intercom-Version: ${version}\`. ${doc.info.description ?? ''}`,
    },
  });
}

/** Every `$ref` in a value, at any depth. */
function refsIn(value: unknown, into: Set<string>): Set<string> {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      const name = refName(node);
      if (name) into.add(name);
      pending.push(...Object.values(node as Record<string, unknown>));
    }
  }
  return into;
}

/** Drops the component schemas no operation uses any more (a version's removed request fields, later routes). */
const pruneSchemas: DocumentEdit = (doc) => {
  const schemas = doc.components?.schemas ?? {};
  const used = refsIn(doc.paths, new Set());
  for (let seen = 0; seen !== used.size;) {
    seen = used.size;
    for (const name of [...used]) refsIn(schemas[name], used);
  }
  return {
    ...doc,
    components: {
      ...doc.components,
      schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))),
    },
  };
};

/** The document of one version: the generated (2.9) document through every change up to `version`. */
export function documentForVersion(
  base: OpenAPIObject,
  version: ApiVersion,
  changes: readonly OpenApiVersionChange[],
): OpenAPIObject {
  return editDocument(
    operationsAt(version),
    ...changes.filter((change) => atLeast(version, change.version)).map((change) => change.document),
    versionHeaderDefault(version),
    info(version),
    pruneSchemas,
  )(base);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Each version's document and its JSON, built on first request and kept (tests create many apps; the
 * documents never change while the process runs). The base is frozen, so a change that mutates instead of
 * returning a new object throws rather than leaking into other versions.
 */
export class VersionedDocuments {
  private base?: OpenAPIObject;
  private readonly built = new Map<ApiVersion, { document: OpenAPIObject; json: string }>();

  constructor(
    private readonly buildBase: () => OpenAPIObject,
    private readonly changes: readonly OpenApiVersionChange[],
  ) {
    for (let i = 1; i < changes.length; i++) {
      if (compareVersions(changes[i - 1].version, changes[i].version) > 0) {
        throw new Error(
          `OpenAPI changes out of order: ${changes[i - 1].version} before ${changes[i].version}`,
        );
      }
    }
  }

  document(version: ApiVersion): OpenAPIObject {
    return this.entry(version).document;
  }

  json(version: ApiVersion): string {
    return this.entry(version).json;
  }

  private entry(version: ApiVersion) {
    let entry = this.built.get(version);
    if (!entry) {
      this.base ??= deepFreeze(this.buildBase());
      const document = deepFreeze(documentForVersion(this.base, version, this.changes));
      entry = { document, json: JSON.stringify(document) };
      this.built.set(version, entry);
    }
    return entry;
  }
}
