/**
 * The contract as data, for tests that must reach every endpoint, including ones added later:
 * each endpoint's method, path, caller and input schemas (from `HttpApi.reflect`), valid input
 * generated from those schemas, and bad variants of it found by walking the schemas' wire form.
 * Every bad variant is first put to the contract's own decoder, so that only input the contract
 * refuses is ever called bad: a test never expects a 400 the contract does not promise.
 */
import { randomUUID } from "node:crypto"
import { Arbitrary, Effect, Exit, Schema, SchemaAST } from "effect"
import { HttpClientRequest, type HttpMethod } from "effect/http"
import { HttpApi } from "effect/http-api"
import { Api, PatientAuth } from "../src/Contract.ts"

/** Who may call an endpoint: from its group's name (`staff…`) and its middleware. */
export type Caller = "anonymous" | "patient" | "staff"

/** A request slot that carries input, named as the problem-details paths name it. */
export type Slot = "params" | "query" | "headers" | "payload"

/** One way an endpoint takes a body. `encoding` is the contract's: `Json`, `Multipart`, … */
export interface Payload {
  readonly contentType: string
  readonly encoding: string
  readonly schema: Schema.Top
}

/** An endpoint of the contract, as the walk sees it. */
export interface Endpoint {
  /** `group.endpoint METHOD /path`, for test names. */
  readonly label: string
  readonly group: string
  readonly name: string
  readonly method: HttpMethod.HttpMethod
  readonly path: string
  readonly caller: Caller
  readonly params: Schema.Top | undefined
  readonly query: Schema.Top | undefined
  readonly headers: Schema.Top | undefined
  readonly payloads: ReadonlyArray<Payload>
}

/** Every endpoint of `Api`, in the contract's order. */
export const endpoints: ReadonlyArray<Endpoint> = (() => {
  const out: Array<Endpoint> = []
  HttpApi.reflect(Api, {
    onGroup: () => {},
    onEndpoint: ({ group, endpoint, middleware }) => {
      const caller: Caller = group.identifier.startsWith("staff")
        ? "staff"
        : [...middleware].some((m) => m.key === PatientAuth.key)
          ? "patient"
          : "anonymous"
      out.push({
        label: `${group.identifier}.${endpoint.identifier} ${endpoint.method} ${endpoint.path}`,
        group: group.identifier,
        name: endpoint.identifier,
        method: endpoint.method,
        path: endpoint.path,
        caller,
        params: endpoint.params,
        query: endpoint.query,
        headers: endpoint.headers,
        payloads: [...endpoint.payload].flatMap(([contentType, { encoding, schemas }]) =>
          schemas.map((schema) => ({ contentType, encoding: encoding._tag, schema }))
        )
      })
    }
  })
  return out
})()

/** Whether the contract's decoder refuses `value` (decoding without services: the walk's schemas need none). */
export const refuses = (schema: Schema.Top, value: unknown): boolean =>
  Exit.isFailure(Schema.decodeUnknownExit(schema as Schema.Codec<unknown, unknown>)(value))

/** The query decoder the server uses: a repeated key arrives as an array. */
export const queryDecoder = (schema: Schema.Top): Schema.Top =>
  Schema.toCodecArrayFromSingle(schema as Schema.Codec<unknown, unknown>)

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/** The size of a JSON value in nodes: the richest of several samples reaches the most fields. */
const nodes = (value: unknown): number =>
  Array.isArray(value)
    ? 1 + value.reduce<number>((n, v) => n + nodes(v), 0)
    : typeof value === "object" && value !== null
      ? 1 + Object.values(value).reduce<number>((n, v) => n + nodes(v), 0)
      : 1

/**
 * A valid value of a schema's wire form, the same on every run: the richest of a few samples of
 * its type (so that optional fields and array elements are there to be broken), encoded.
 */
export const validWire = (schema: Schema.Top, seed: string) =>
  Effect.gen(function* () {
    const codec = schema as Schema.Codec<unknown, unknown>
    const samples = yield* Arbitrary.sampleEffect(Arbitrary.schema(codec), { count: 16, seed, size: 4 })
    const encoded = samples.flatMap((s) => {
      const exit = Schema.encodeUnknownExit(codec)(s)
      return Exit.isSuccess(exit) && !refuses(schema, exit.value) ? [exit.value] : []
    })
    const richest = encoded.reduce<unknown>(
      (best, v) => (best === undefined || nodes(v) > nodes(best) ? v : best),
      undefined
    )
    if (richest === undefined)
      return yield* Effect.die(new Error(`no valid sample of the schema (seed ${seed})`))
    return richest
  })

/** A string for each field of a string-valued slot (path params, query, headers) that the schema takes. */
export const validStrings = (schema: Schema.Top, seed: string) =>
  Effect.gen(function* () {
    // A uuid where the schema takes one (ids); else a sample of the schema itself.
    const sampled = (yield* validWire(schema, seed)) as Record<string, unknown>
    const out: Record<string, string | ReadonlyArray<string>> = {}
    for (const name of fieldNames(schema)) {
      const uuid = randomUUID()
      const candidate = { ...sampled, [name]: uuid }
      const value = refuses(schema, candidate) ? sampled[name] : uuid
      if (typeof value === "string" || Array.isArray(value)) out[name] = value as string
    }
    return out
  })

/** The property names of a struct schema's wire form. */
export const fieldNames = (schema: Schema.Top): ReadonlyArray<string> => {
  const ast = SchemaAST.toEncoded(schema.ast)
  return ast._tag === "Objects" ? ast.propertySignatures.map((p) => String(p.name)) : []
}

/** A bad variant of a slot's value, and the path the 400 must name. */
export interface BadValue {
  readonly description: string
  readonly value: unknown
  /** The path inside the slot (`[]`: the slot as a whole). */
  readonly path: ReadonlyArray<string | number>
  /**
   * Where the answer may name it instead: the position of a tagged union's member whose tag is
   * broken (the decoder cannot tell which member was meant, so it names the member's place and
   * lists the tags it takes).
   */
  readonly orPath?: ReadonlyArray<string | number>
}

/** Values of each JSON type, for "wrong type" (one of another type than the valid one is taken). */
const OF_EACH_TYPE: ReadonlyArray<Json> = [
  12345,
  "not-a-valid-value",
  true,
  null,
  { unexpected: 1 },
  ["unexpected"]
]
/** Strings that a schema narrower than "any string" (a date, a number, a choice) refuses. */
const MALFORMED_STRINGS: ReadonlyArray<string> = [
  "not-a-valid-value",
  "",
  "-1",
  "1.5",
  "1e999",
  "9".repeat(40)
]

const jsonType = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)

const setAt = (
  root: unknown,
  path: ReadonlyArray<string | number>,
  value: unknown,
  remove = false
): unknown => {
  if (path.length === 0) return value
  const [head, ...rest] = path as [string | number, ...Array<string | number>]
  if (Array.isArray(root)) {
    const copy = [...root]
    if (rest.length === 0 && remove) copy.splice(Number(head), 1)
    else copy[Number(head)] = setAt(copy[Number(head)], rest, value, remove)
    return copy
  }
  const copy = { ...(root as Record<string, unknown>) }
  if (rest.length === 0 && remove) delete copy[head]
  else copy[head] = setAt(copy[head], rest, value, remove)
  return copy
}

/** The tag fields of a union of structs: the properties that are a literal in every member. */
const tagsOf = (union: SchemaAST.Union): ReadonlySet<string> => {
  const members = union.types.filter((m) => !SchemaAST.isNull(m))
  if (members.length < 2 || !members.every(SchemaAST.isObjects)) return new Set()
  const literalFields = (m: SchemaAST.Objects) =>
    new Set(m.propertySignatures.filter((p) => SchemaAST.isLiteral(p.type)).map((p) => String(p.name)))
  const [first, ...rest] = members.map(literalFields)
  return new Set([...(first ?? [])].filter((name) => rest.every((fields) => fields.has(name))))
}

/** The member of a union whose wire form `value` has (undefined when none does). */
const memberOf = (union: SchemaAST.Union, value: unknown): SchemaAST.AST | undefined =>
  union.types.find((member) => !refuses(Schema.make(member), value))

/**
 * Bad variants of `valid` for `schema`, found by walking the schema's wire form alongside the
 * value: at every field (present or optional), a value of another JSON type and, where the
 * field is a string the schema narrows, a malformed string; every field left out; the first
 * element of every array broken the same way; and the whole slot of another type. Only
 * variants the contract's decoder refuses are kept.
 */
export const badValues = (
  schema: Schema.Top,
  valid: unknown,
  options: {
    /** The decoder the server uses, when it is not `schema` itself (the query's). */
    readonly decoder?: Schema.Top
    /** A slot of strings (path params, query, headers): only malformed strings, no other JSON types. */
    readonly stringsOnly?: boolean
    /** Whether a field can be left out at all (not a path param). */
    readonly canOmit?: boolean
    /** Strings the slot cannot carry (an empty path segment). */
    readonly unsendable?: (s: string) => boolean
  } = {}
): ReadonlyArray<BadValue> => {
  const decoder = options.decoder ?? schema
  const out: Array<BadValue> = []
  const seen = new Set<string>()
  let orPath: ReadonlyArray<string | number> | undefined
  const keep = (description: string, path: ReadonlyArray<string | number>, value: unknown) => {
    const key = JSON.stringify([path, value === undefined ? "<missing>" : value])
    if (seen.has(key) || !refuses(decoder, value)) return false
    seen.add(key)
    out.push(orPath === undefined ? { description, value, path } : { description, value, path, orPath })
    return true
  }
  const breakField = (
    path: ReadonlyArray<string | number>,
    current: unknown,
    present: boolean,
    tagOf?: ReadonlyArray<string | number>
  ) => {
    orPath = tagOf
    const name = path.join(".")
    if (!options.stringsOnly) {
      for (const wrong of OF_EACH_TYPE) {
        if (present && jsonType(wrong) === jsonType(current)) continue
        if (keep(`${name}: ${JSON.stringify(wrong)} (wrong type)`, path, setAt(valid, path, wrong))) break
      }
    }
    if (options.stringsOnly || typeof current === "string" || current === null || !present) {
      for (const bad of MALFORMED_STRINGS) {
        if (options.unsendable?.(bad)) continue
        if (keep(`${name}: ${JSON.stringify(bad.slice(0, 20))} (malformed)`, path, setAt(valid, path, bad)))
          break
      }
    }
    if (present && options.canOmit !== false)
      keep(`${name}: left out`, path, setAt(valid, path, undefined, true))
    orPath = undefined
  }
  const walk = (
    ast: SchemaAST.AST,
    value: unknown,
    path: ReadonlyArray<string | number>,
    tags: ReadonlySet<string> = new Set()
  ): void => {
    if (ast._tag === "Suspend") {
      walk(ast.thunk(), value, path)
    } else if (ast._tag === "Union") {
      const member = memberOf(ast, value)
      if (member !== undefined) walk(member, value, path, tagsOf(ast))
    } else if (
      ast._tag === "Objects" &&
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value)
    ) {
      const record = value as Record<string, unknown>
      for (const property of ast.propertySignatures) {
        const name = String(property.name)
        const present = name in record && record[name] !== undefined
        breakField([...path, name], record[name], present, tags.has(name) ? path : undefined)
        if (present) walk(property.type, record[name], [...path, name])
      }
    } else if (ast._tag === "Arrays" && Array.isArray(value) && value.length > 0) {
      const element = ast.elements[0] ?? ast.rest[0]
      if (element !== undefined) {
        breakField([...path, 0], value[0], true)
        walk(element, value[0], [...path, 0])
      }
    }
  }
  walk(SchemaAST.toEncoded(schema.ast), valid, [])
  if (!options.stringsOnly) {
    for (const wrong of OF_EACH_TYPE) {
      if (jsonType(wrong) === jsonType(valid)) continue
      if (keep(`the whole ${JSON.stringify(wrong)} (wrong type)`, [], wrong)) break
    }
  }
  return out
}

/** `path` with each `:param` replaced by its value, percent-encoded. */
export const fillPath = (path: string, params: Readonly<Record<string, unknown>>) =>
  path.replace(/:(\w+)\??/g, (_, name: string) => encodeURIComponent(String(params[name] ?? "")))

/** A request to an endpoint with the given path params and query (a repeated key as an array). */
export const requestTo = (
  endpoint: Endpoint,
  params: Readonly<Record<string, unknown>>,
  query: Readonly<Record<string, unknown>> = {}
) => {
  const request = HttpClientRequest.make(endpoint.method)(fillPath(endpoint.path, params))
  const entries = Object.entries(query).flatMap(([k, v]) =>
    v === undefined
      ? []
      : Array.isArray(v)
        ? v.map((x) => [k, String(x)] as const)
        : [[k, String(v)] as const]
  )
  return entries.length === 0 ? request : HttpClientRequest.setUrlParams(request, entries)
}
