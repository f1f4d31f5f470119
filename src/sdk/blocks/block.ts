// biome-ignore-all lint/complexity/noThisInStatic: static methods act on the block class they are called on (Warehouse.load gives a Warehouse)
/**
 * Blocks in the SDK (Prefect's `prefect.blocks.core.Block`): `Block.define(slug, schema, options)`
 * makes a class whose instances hold validated configuration, `save(name, { overwrite })` it as a
 * block document and `load(name)` it back (`Block.load("slug/name")` from the base). The schema is
 * zod or any Standard Schema; zod fields become the block schema's JSON Schema (with `position`,
 * Prefect's `secret_fields` and `block_schema_references`), whose checksum is computed as Prefect
 * computes it. `Secret.field()` fields hold a `SecretValue`; `Other.ref()` nests a block by
 * reference. The block type and schema are registered before the first save (`registerType()`).
 */

import type { PrefectClient } from "../../client/prefect-client.ts";
import { blockSchemaChecksum } from "../../core/block-checksum.ts";
import {
  type BlockDocument,
  type BlockSchemaFields,
  type BlockTypeCreate,
  blockReference,
  DEFAULT_BLOCK_SCHEMA_VERSION,
  OBFUSCATED,
} from "../../core/blocks.ts";
import { ConflictError, isPrefectTsError, ValidationError } from "../../core/errors.ts";
import type { StandardSchemaLike } from "../../engine/flow-spec.ts";
import { getRuntime } from "../../engine/process-runtime.ts";
import { SecretValue } from "./secret-value.ts";
import { zod } from "./zod.ts";

type Data = Record<string, unknown>;

export interface BlockOptions {
  /** The block type's name (default: the slug in words, `warehouse-db` → `Warehouse Db`). */
  name?: string;
  description?: string;
  logoUrl?: string;
  documentationUrl?: string;
  codeExample?: string;
  /** What the block can do (`read-path`, `notify`, …): its schema's capabilities. */
  capabilities?: string[];
  /** The block schema's version (default `non-versioned`). */
  version?: string;
}

/** What `Block.define` and the built-in blocks are made of. */
interface BlockSpec {
  slug: string;
  schema: StandardSchemaLike;
  options: BlockOptions;
  /** Fixed fields (the built-ins: Prefect's own schema, so both sides share its checksum). */
  fields?: BlockSchemaFields;
  /** Fixed type metadata (the built-ins). */
  type?: Required<BlockTypeCreate>;
}

/** Zod schemas made by `Secret.field()`. */
const secretSchemas = new WeakSet<object>();
/** Zod schemas made by `SomeBlock.ref()`, and the block class they nest. */
const nestedSchemas = new WeakMap<object, AnyBlockClass>();
/** Block classes by slug (what `Block.load("slug/name")` builds). */
const registry = new Map<string, AnyBlockClass>();

/** A block class of any data. */
type AnyBlockClass = (abstract new (...args: never[]) => Block) & BlockStatics;

/** A zod field holding a secret: a string in, a `SecretValue` out. */
export function secretField() {
  const z = zod();
  const schema = z
    .union([z.string(), z.instanceof(SecretValue)])
    .transform((v) => (v instanceof SecretValue ? (v as SecretValue<string>) : new SecretValue(v)));
  secretSchemas.add(schema);
  return schema;
}

/** The schema under `.optional()`, `.default()`, `.nullable()` … */
function unwrap(schema: unknown): unknown {
  let s = schema as { _zod?: { def?: { innerType?: unknown } } } | undefined;
  for (let i = 0; i < 10 && s?._zod?.def?.innerType; i++) {
    s = s._zod.def.innerType as typeof s;
  }
  return s;
}

const titleOf = (key: string) =>
  key
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");

/** The block schema fields of a spec: JSON Schema with Prefect's keys. */
function fieldsOf(spec: BlockSpec, typeName: string): BlockSchemaFields {
  if (spec.fields) return spec.fields;
  const schema = spec.schema as { _zod?: unknown; shape?: Record<string, unknown> };
  let json: Data = { type: "object", properties: {} };
  const toJson = (schema as { toJSONSchema?: (o: object) => unknown }).toJSONSchema;
  if (schema._zod && typeof toJson === "function") {
    try {
      json = toJson.call(schema, {
        io: "input",
        unrepresentable: "any",
        target: "draft-7",
      }) as Data;
    } catch {
      // a schema zod cannot write: its properties are left open
    }
  }
  const { $schema: _, definitions, $defs, ...rest } = json;
  const properties: Record<string, Data> = { ...((rest.properties as Record<string, Data>) ?? {}) };
  const secrets: string[] = [];
  const references: Data = {};
  const nestedDefinitions: Data = {};
  for (const [key, field] of Object.entries(schema.shape ?? {})) {
    const inner = unwrap(field) as object;
    const description = (properties[key]?.description as string | undefined) ?? undefined;
    if (secretSchemas.has(inner)) {
      properties[key] = {
        ...(description ? { description } : {}),
        format: "password",
        type: "string",
        writeOnly: true,
      };
      secrets.push(key);
    }
    const nested = nestedSchemas.get(inner);
    if (nested) {
      const child = nested.blockSchemaFields();
      const title = String(child.title ?? nested.blockTypeSlug);
      properties[key] = { ...(description ? { description } : {}), $ref: `#/definitions/${title}` };
      nestedDefinitions[title] = child;
      references[key] = {
        block_type_slug: nested.blockTypeSlug,
        block_schema_checksum: blockSchemaChecksum(child),
      };
      const childSecrets = Array.isArray(child.secret_fields) ? child.secret_fields : [];
      for (const s of childSecrets) secrets.push(`${key}.${String(s)}`);
    }
  }
  const positioned = Object.fromEntries(
    Object.entries(properties).map(([key, p], position) => [
      key,
      { ...(p.$ref ? {} : { title: titleOf(key) }), ...p, position },
    ]),
  );
  const allDefinitions = { ...((definitions ?? $defs ?? {}) as Data), ...nestedDefinitions };
  return {
    title: typeName.replace(/\s+/g, ""),
    ...(spec.options.description ? { description: spec.options.description } : {}),
    type: "object",
    properties: positioned,
    ...(Array.isArray(rest.required) && rest.required.length > 0
      ? { required: rest.required }
      : {}),
    block_type_slug: spec.slug,
    secret_fields: secrets,
    block_schema_references: references,
    ...(Object.keys(allDefinitions).length > 0 ? { definitions: allDefinitions } : {}),
  };
}

/** Validate data with a Standard Schema (synchronously: a block is made in its constructor). */
function validate(spec: BlockSpec, data: unknown): Data {
  const result = spec.schema["~standard"].validate(data);
  if (result instanceof Promise) {
    throw new ValidationError(
      `block '${spec.slug}': its schema validates asynchronously, which a block cannot use`,
    );
  }
  if (result.issues) {
    const first = result.issues[0];
    const path = (first?.path ?? [])
      .map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p))
      .map(String)
      .join(".");
    throw new ValidationError(
      `block '${spec.slug}': ${path ? `${path}: ` : ""}${first?.message ?? "invalid data"}`,
    );
  }
  return (result.value ?? {}) as Data;
}

/** A value as saved: secrets in the clear, saved nested blocks as references. */
function toWire(value: unknown): unknown {
  if (value instanceof SecretValue) return toWire(value.get());
  if (value instanceof Block) {
    return value.blockDocumentId ? blockReference(value.blockDocumentId) : value.blockData();
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

/** A value as shown: secrets masked, nested blocks as their shown data. */
function toShown(value: unknown): unknown {
  if (value instanceof SecretValue) return OBFUSCATED;
  if (value instanceof Block) return value.toJSON();
  if (Array.isArray(value)) return value.map(toShown);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toShown(v)]));
  }
  return value;
}

async function blocksClient(): Promise<PrefectClient> {
  return (await getRuntime()).client;
}

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

export abstract class Block {
  /** The block type's slug (`secret`, `local-file-system`, or the one given to `define`). */
  static readonly blockTypeSlug: string = "";
  static spec: BlockSpec | null = null;
  #documentId: string | null = null;
  #documentName: string | null = null;

  /** The block document this instance was saved as or loaded from. */
  get blockDocumentId(): string | null {
    return this.#documentId;
  }
  get blockDocumentName(): string | null {
    return this.#documentName;
  }

  /** This class's spec (the subclass `define` made, or a built-in). */
  static specOf(this: BlockStatics): BlockSpec {
    if (!this.spec)
      throw new ValidationError(
        "Block is the base class: use Block.define(...) to make a block class",
      );
    return this.spec;
  }

  /** The block type this class registers (`BlockTypeCreate`). */
  static blockType(this: BlockStatics): Required<BlockTypeCreate> {
    const spec = this.specOf();
    if (spec.type) return spec.type;
    const o = spec.options;
    return {
      name: o.name ?? titleOf(spec.slug.replace(/-/g, " ")),
      slug: spec.slug,
      logo_url: o.logoUrl ?? null,
      documentation_url: o.documentationUrl ?? null,
      description: o.description ?? null,
      code_example:
        o.codeExample ??
        `\`\`\`ts\nconst block = await Block.load("${spec.slug}/BLOCK_NAME");\n\`\`\``,
    };
  }

  /** The block schema's fields (JSON Schema with `secret_fields` and `block_schema_references`). */
  static blockSchemaFields(this: BlockStatics): BlockSchemaFields {
    return fieldsOf(this.specOf(), this.blockType().name);
  }

  /** The block schema's checksum, as Prefect computes it. */
  static blockSchemaChecksum(this: BlockStatics): string {
    return blockSchemaChecksum(this.blockSchemaFields());
  }

  /**
   * Make a block class: `class Warehouse extends Block.define("warehouse", z.object({...})) {}`.
   * Instances take the schema's input and hold its output as their fields.
   */
  static define<S extends StandardSchemaLike>(slug: string, schema: S, options: BlockOptions = {}) {
    return defineBlock<InferInput<S>, InferOutput<S>>({ slug, schema, options });
  }

  /** A zod field nesting this block by reference (`credentials: Credentials.ref()`). */
  static ref<T extends AnyBlockClass>(this: T) {
    const schema = zod().custom<InstanceType<T>>((v) => v instanceof this, {
      message: `expected a ${this.blockTypeSlug} block`,
    });
    nestedSchemas.set(schema, this);
    return schema;
  }

  /**
   * Register this block's type and schema with the API (idempotent; nested blocks first). Runs
   * before the first save; call it to make the type available to the UI before any document.
   */
  static async registerType(
    this: BlockStatics,
    client?: PrefectClient,
  ): Promise<{ blockTypeId: string; blockSchemaId: string }> {
    const c = client ?? (await blocksClient());
    const spec = this.specOf();
    const shape = (spec.schema as { shape?: Record<string, unknown> }).shape ?? {};
    for (const field of Object.values(shape)) {
      const nested = nestedSchemas.get(unwrap(field) as object);
      if (nested) await nested.registerType(c);
    }
    const wanted = this.blockType();
    let type = await c.blocks.readBlockTypeBySlug(wanted.slug).catch((error: unknown) => {
      if (isPrefectTsError(error) && error.code === "ERR_OBJECT_NOT_FOUND") return null;
      throw error;
    });
    if (!type) {
      type = await c.blocks.createBlockType(wanted);
    } else if (!type.is_protected) {
      const unescaped = (s: string | null) =>
        s?.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") ?? null;
      const keys = ["logo_url", "documentation_url", "description", "code_example"] as const;
      if (keys.some((k) => unescaped(type?.[k] ?? null) !== wanted[k])) {
        await c.blocks.updateBlockType(
          type.id,
          Object.fromEntries(keys.map((k) => [k, wanted[k]])),
        );
      }
    }
    const fields = this.blockSchemaFields();
    const version = spec.options.version ?? DEFAULT_BLOCK_SCHEMA_VERSION;
    const schema = await c.blocks
      .readBlockSchemaByChecksum(blockSchemaChecksum(fields), version)
      .catch(async (error: unknown) => {
        if (!(isPrefectTsError(error) && error.code === "ERR_OBJECT_NOT_FOUND")) throw error;
        return c.blocks.createBlockSchema({
          fields,
          block_type_id: type.id,
          capabilities: spec.options.capabilities ?? [],
          version,
        });
      });
    return { blockTypeId: type.id, blockSchemaId: schema.id };
  }

  /**
   * Load a saved block: `Warehouse.load("prod")`, or `Block.load("warehouse/prod")` (the class of
   * that slug, when one is defined in this process; else a generic block of the saved data).
   */
  static async load<T extends abstract new (...args: never[]) => Block>(
    this: T,
    name: string,
  ): Promise<InstanceType<T>> {
    const cls = this as unknown as typeof Block;
    let slug = cls.spec?.slug;
    let documentName = name;
    if (!cls.spec) {
      const at = name.indexOf("/");
      if (at <= 0) {
        throw new ValidationError(
          `Block.load takes "<block type slug>/<block document name>", not '${name}'`,
        );
      }
      slug = name.slice(0, at);
      documentName = name.slice(at + 1);
    }
    const client = await blocksClient();
    const document = await client.blocks
      .readBlockDocumentByName(slug ?? "", documentName, { includeSecrets: true })
      .catch((error: unknown) => {
        if (isPrefectTsError(error) && error.code === "ERR_OBJECT_NOT_FOUND") {
          throw new ValidationError(
            `Unable to find block document named ${documentName} for block type ${slug}`,
            { cause: error },
          );
        }
        throw error;
      });
    const target = cls.spec ? cls : (registry.get(slug ?? "") ?? genericBlockClass(document));
    return target.fromDocument(document) as InstanceType<T>;
  }

  /** A block of this class from a document read with its secrets. */
  static fromDocument(this: BlockStatics, document: BlockDocument): Block {
    const spec = this.specOf();
    const shape = (spec.schema as { shape?: Record<string, unknown> }).shape ?? {};
    const data: Data = { ...document.data };
    for (const [key, field] of Object.entries(shape)) {
      const nested = nestedSchemas.get(unwrap(field) as object);
      const value = data[key];
      if (!nested || value === null || typeof value !== "object") continue;
      const reference = document.block_document_references[key]?.block_document;
      const child = nested.fromDocument({
        ...document,
        id: reference?.id ?? document.id,
        name: reference?.name ?? "",
        data: value as Data,
        block_document_references: reference?.block_document_references ?? {},
      });
      if (!reference) child.#documentId = null;
      data[key] = child;
    }
    const BlockClass = this as unknown as new (data: Data) => Block;
    const block = new BlockClass(data);
    block.#documentId = document.id;
    block.#documentName = document.name;
    return block;
  }

  /** Delete the saved block of this name (`Block.delete("slug/name")` from the base). */
  static async delete(this: BlockStatics, name: string): Promise<void> {
    const client = await blocksClient();
    const at = name.indexOf("/");
    const slug = this.spec?.slug ?? name.slice(0, at);
    const documentName = this.spec ? name : name.slice(at + 1);
    const document = await client.blocks.readBlockDocumentByName(slug, documentName);
    await client.blocks.deleteBlockDocument(document.id);
  }

  /** The fields of this block as saved (secrets in the clear). */
  blockData(): Data {
    const own: Data = {};
    for (const [k, v] of Object.entries(this)) own[k] = toWire(v);
    return own;
  }

  /**
   * Save as a block document of this name; a taken name is refused unless `overwrite` (then its
   * values are replaced). Resolves with the document's id.
   */
  async save(name?: string, options: { overwrite?: boolean } = {}): Promise<string> {
    const cls = this.constructor as typeof Block;
    const spec = cls.specOf();
    const documentName = name ?? this.#documentName;
    if (!documentName) {
      throw new ValidationError(
        "You're attempting to save a block document without a name. Please call `save` with a name.",
      );
    }
    const client = await blocksClient();
    const { blockTypeId, blockSchemaId } = await cls.registerType(client);
    const data = this.blockData();
    try {
      const created = await client.blocks.createBlockDocument({
        name: documentName,
        data,
        block_schema_id: blockSchemaId,
        block_type_id: blockTypeId,
        is_anonymous: false,
      });
      this.#documentId = created.id;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (!options.overwrite) {
        throw new ConflictError(
          `A block document named '${documentName}' of block type '${spec.slug}' already exists. To replace its values, save with \`save("${documentName}", { overwrite: true })\`.`,
          { cause: error },
        );
      }
      const existing = await client.blocks.readBlockDocumentByName(spec.slug, documentName);
      await client.blocks.updateBlockDocument(existing.id, {
        block_schema_id: blockSchemaId,
        data,
        merge_existing_data: false,
      });
      this.#documentId = existing.id;
    }
    this.#documentName = documentName;
    return this.#documentId as string;
  }

  /** The fields with secrets masked: what `JSON.stringify` and logs show. */
  toJSON(): Data {
    return toShown({ ...this }) as Data;
  }

  toString(): string {
    const cls = this.constructor as typeof Block;
    return `${cls.name || "Block"}(${JSON.stringify(this.toJSON())})`;
  }

  [INSPECT](): string {
    return this.toString();
  }
}

type InferInput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly input: infer I }
    ? I
    : Data
  : Data;
type InferOutput<S> = S extends { readonly "~standard": { readonly types?: infer T } }
  ? NonNullable<T> extends { readonly output: infer O }
    ? O
    : Data
  : Data;

/** A block class made by `define`: `new` takes the schema's input, instances hold its output. */
export type DefinedBlock<I, O> = (new (data: I) => Block & O) & Omit<typeof Block, "prototype">;

/** The class of a spec (what `Block.define` and the built-ins are). */
export function defineBlock<I, O>(spec: BlockSpec): DefinedBlock<I, O> {
  class Defined extends Block {
    static override readonly blockTypeSlug = spec.slug;
    static override spec = spec;
    constructor(data: I) {
      super();
      Object.assign(this, validate(spec, data ?? {}));
    }
  }
  registry.set(spec.slug, Defined as unknown as AnyBlockClass);
  return Defined as unknown as DefinedBlock<I, O>;
}

/** A class for a slug no class of this process defines: its data as the saved schema has it. */
function genericBlockClass(document: BlockDocument): AnyBlockClass {
  const schema: StandardSchemaLike = {
    "~standard": { version: 1, vendor: "prefect-ts", validate: (value) => ({ value }) },
  };
  return defineBlockUnregistered({
    slug: document.block_type.slug,
    schema,
    options: {},
    fields: document.block_schema.fields,
  });
}

function defineBlockUnregistered(spec: BlockSpec): AnyBlockClass {
  class Generic extends Block {
    static override readonly blockTypeSlug = spec.slug;
    static override spec = spec;
    constructor(data: Data) {
      super();
      Object.assign(this, data);
    }
  }
  return Generic as unknown as AnyBlockClass;
}

/** Register a class made elsewhere under its slug (the built-ins, subclasses with behaviour). */
export function registerBlockClass(cls: AnyBlockClass): void {
  registry.set(cls.blockTypeSlug, cls);
}

export type { BlockSpec };

/** What a block class has besides its constructor (the `this` of its static methods). */
type BlockStatics = Omit<typeof Block, "prototype">;
