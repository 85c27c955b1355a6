/**
 * The `RateLimiter` contract: the same cases against `layerMemory` and `layerSql` (in a fresh
 * schema of the real PostgreSQL, across a warm pool so that concurrent takes race for real),
 * timed by the TestClock. Then what only the database store does: pruning spent rows.
 */
import { assert, layer } from "@effect/vitest"
import { DateTime, Duration, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { testDatabase } from "../../postgres/test/harness.ts"
import { warmDatabase } from "../../postgres/test/warmDatabase.ts"
import { type Limit, RateLimiter, type RouteClass } from "../src/RateLimit.ts"

// Not on a whole second, so that rounding the wait up is seen.
const T0 = DateTime.toEpochMillis(DateTime.makeUnsafe("2030-03-01T09:00:00.123Z"))

let clients = 0
/** An address no other case uses: the cases of one store share its rows. */
const freshClient = Effect.sync(() => `203.0.113.${++clients}`)

const take = (client: string, limit: Limit, routeClass: RouteClass = "login") =>
  Effect.flatMap(RateLimiter, (limiter) => limiter.take(routeClass, client, limit))

/** `n` takes one after another; what each answered (`null` when allowed). */
const takes = (n: number, client: string, limit: Limit, routeClass: RouteClass = "login") =>
  Effect.forEach(Array.from({ length: n }), () =>
    take(client, limit, routeClass).pipe(Effect.map(Option.getOrNull))
  )

const allowedTimes = (n: number) => Array.from({ length: n }, () => null)

const tenMinutes: Limit = { limit: 3, window: Duration.minutes(10) }

interface Case {
  readonly name: string
  readonly run: Effect.Effect<void, never, RateLimiter>
}

const cases: ReadonlyArray<Case> = [
  {
    name: "the first `limit` takes of a window are allowed; the next wait until the window ends, rounded up",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      assert.deepStrictEqual(yield* takes(3, client, tenMinutes), allowedTimes(3))
      assert.deepStrictEqual(yield* takes(2, client, tenMinutes), [600, 600])
      yield* TestClock.adjust(Duration.millis(1500))
      // 598.5 s left.
      assert.deepStrictEqual(yield* takes(1, client, tenMinutes), [599])
    })
  },
  {
    name: "the window starts at the first take: one millisecond before its end the wait is 1 s; at its end a new window opens",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      const limit: Limit = { limit: 2, window: Duration.seconds(10) }
      yield* TestClock.adjust(Duration.millis(7_000))
      assert.deepStrictEqual(yield* takes(2, client, limit), allowedTimes(2))
      // Later takes within the window neither count nor move its start.
      yield* TestClock.adjust(Duration.millis(5_000))
      assert.deepStrictEqual(yield* takes(1, client, limit), [5])
      yield* TestClock.adjust(Duration.millis(4_999))
      assert.deepStrictEqual(yield* takes(1, client, limit), [1])
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(yield* takes(3, client, limit), [null, null, 10])
      // The new window started at its first take, 10 s after the first window.
      yield* TestClock.adjust(Duration.millis(9_999))
      assert.deepStrictEqual(yield* takes(1, client, limit), [1])
      yield* TestClock.adjust(Duration.millis(1))
      assert.deepStrictEqual(yield* takes(1, client, limit), [null])
    })
  },
  {
    name: "a window that ended long ago is a fresh one, whatever its count was",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      assert.deepStrictEqual(yield* takes(4, client, tenMinutes), [null, null, null, 600])
      yield* TestClock.adjust(Duration.days(3))
      assert.deepStrictEqual(yield* takes(4, client, tenMinutes), [null, null, null, 600])
    })
  },
  {
    name: "each route class and each address has its own budget",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      const other = yield* freshClient
      const one: Limit = { limit: 1, window: Duration.minutes(1) }
      assert.deepStrictEqual(yield* takes(2, client, one, "login"), [null, 60])
      assert.deepStrictEqual(yield* takes(2, client, one, "verify"), [null, 60])
      assert.deepStrictEqual(yield* takes(2, client, one, "open"), [null, 60])
      assert.deepStrictEqual(yield* takes(2, client, one, "resend"), [null, 60])
      assert.deepStrictEqual(yield* takes(2, client, one, "join"), [null, 60])
      assert.deepStrictEqual(yield* takes(2, other, one, "login"), [null, 60])
    })
  },
  {
    name: "refused takes are not counted: a larger limit within the window allows exactly the difference",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      const two: Limit = { limit: 2, window: Duration.minutes(10) }
      assert.deepStrictEqual(yield* takes(5, client, two), [null, null, 600, 600, 600])
      const five: Limit = { limit: 5, window: Duration.minutes(10) }
      assert.deepStrictEqual(yield* takes(4, client, five), [null, null, null, 600])
    })
  },
  {
    name: "50 concurrent takes from one address against a limit of 7: exactly 7 are allowed",
    run: Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const client = yield* freshClient
      const limit: Limit = { limit: 7, window: Duration.minutes(10) }
      const answers = yield* Effect.all(
        Array.from({ length: 50 }, () => take(client, limit).pipe(Effect.map(Option.getOrNull))),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(answers.filter((a) => a === null).length, 7)
      assert.deepStrictEqual(
        answers.filter((a) => a !== null),
        Array.from({ length: 43 }, () => 600)
      )
      assert.deepStrictEqual(yield* takes(1, client, limit), [600])
    })
  }
]

/**
 * The cases on `store`, each on a TestClock of its own. The store is built on the live clock
 * (`excludeTestServices`): a pool built on a TestClock would have its housekeeping woken at every
 * tick the clock passes when a case moves it to 2030.
 */
const contract = (name: string, store: Layer.Layer<RateLimiter, unknown>) =>
  layer(store, { excludeTestServices: true, timeout: 60_000 })(name, (it) => {
    for (const c of cases) it.effect(c.name, () => Effect.provide(c.run, TestClock.layer()), 60_000)
  })

contract("RateLimiter contract (memory)", RateLimiter.layerMemory)
contract("RateLimiter contract (PostgreSQL)", RateLimiter.layerSql.pipe(Layer.provide(warmDatabase(8))))

const keys = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ readonly key: string }>`SELECT key FROM rate_limits ORDER BY key`.pipe(
    Effect.orDie
  )
  return rows.map((r) => r.key)
})

layer(
  RateLimiter.layerSqlWith({ pruneEvery: 3 }).pipe(Layer.provideMerge(testDatabase({ maxConnections: 1 }))),
  {
    excludeTestServices: true,
    timeout: 60_000
  }
)("RateLimiter.layerSql pruning", (it) => {
  it.effect(
    "every `pruneEvery` takes, the rows whose window ended more than an hour ago are deleted",
    () =>
      Effect.gen(function* () {
        const minute: Limit = { limit: 5, window: Duration.minutes(1) }
        yield* TestClock.setTime(T0)
        yield* take("a", minute) // take 1: its window ends at T0 + 1 min
        yield* TestClock.adjust(Duration.minutes(30))
        yield* take("c", minute) // take 2: ends at T0 + 31 min
        assert.deepStrictEqual(yield* keys, ["login a", "login c"])
        // One hour and one millisecond after a's window ended.
        yield* TestClock.setTime(T0 + Duration.toMillis(Duration.minutes(61)) + 1)
        yield* take("b", minute) // take 3: prunes
        assert.deepStrictEqual(yield* keys, ["login b", "login c"])
        // c's window too ended more than an hour ago, but takes 4 and 5 do not prune.
        yield* TestClock.setTime(T0 + Duration.toMillis(Duration.hours(2)))
        yield* take("d", minute)
        yield* take("d", minute)
        assert.deepStrictEqual(yield* keys, ["login b", "login c", "login d"])
        yield* take("d", minute) // take 6: prunes
        assert.deepStrictEqual(yield* keys, ["login b", "login d"])
      }).pipe(Effect.provide(TestClock.layer())),
    60_000
  )
})
