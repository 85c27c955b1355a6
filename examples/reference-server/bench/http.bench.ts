/**
 * The composed reference server over HTTP, driven with plain `fetch` at 1 and 16 requests in
 * flight, on a fresh embedded database and on a fresh schema of the real PostgreSQL (skipped
 * with a note when none answers). Per scenario: requests, requests per second, p50/p95/p99
 * latency, and the non-2xx answers beside how many were expected. Prints figures; asserts
 * nothing. `pnpm bench`.
 *
 * The per-address rate limits are raised (RATE_LIMIT_*) so that the server is measured, not the
 * limiter. The per-patient send limit stays as it is: logins are spread over many registered
 * patients instead. The server logs at Warn (its INFO line per request would time the terminal).
 * The load comes from the server's own process and event loop, so every figure includes the
 * client's share of that CPU.
 */
import { ApiKeys, Clinic } from "@careportal/domain"
import { Database } from "@careportal/postgres"
import { DateTime, Effect, Redacted, References, type Scope, TxRef } from "effect"
import {
  clinic,
  codeIn,
  type Environment,
  embeddedEnvironment,
  postgresEnvironment,
  type RunningServer,
  staff,
  startServer
} from "../test/JourneySupport.ts"

const CONCURRENCIES = [1, 16] as const
type Concurrency = (typeof CONCURRENCIES)[number]
/** Requests timed per concurrency; each run is preceded by WARMUP untimed ones. */
type Counts = Readonly<Record<Concurrency, number>>
const FAST: Counts = { 1: 120, 16: 320 }
/** For the scenarios that take several milliseconds of CPU each, so the run stays short. */
const SLOW: Counts = { 1: 40, 16: 120 }
const WARMUP = 20
/** Slots raced for, each by RACERS patients at once. */
const RACED_SLOTS = 8
const RACERS = 16
/** Login codes per patient in the "registered patient" scenario (the send limit is 10 a day). */
const STARTS_PER_PATIENT = 8

/** The calls a scenario makes for `counts`, warm-ups included. */
const callsFor = (counts: Counts) => CONCURRENCIES.reduce((n, c) => n + WARMUP + counts[c], 0)

/** The server's environment besides the database. */
const benchEnvironment: Environment = {
  RATE_LIMIT_LOGIN: "1000000",
  RATE_LIMIT_VERIFY: "1000000",
  // The verify scenario waits for its codes: deliver them in big batches.
  DISPATCH_BATCH_SIZE: "500"
}

/** The `i`-th of `xs`, round and round. */
const cycle = <A>(xs: ReadonlyArray<A>, i: number): A => xs[i % xs.length] as A

// ---------------------------------------------------------------------------------------------
// Requests

/** One request. */
interface Call {
  readonly method: "GET" | "POST"
  readonly path: string
  readonly body?: unknown
  /** A patient's session token or a clinic API key. */
  readonly bearer?: string
}

/** What came back: the status and the body as text. */
interface Answer {
  readonly status: number
  readonly text: string
}

const send = (baseUrl: string, call: Call) =>
  Effect.promise(() => {
    const headers: Record<string, string> = { "content-type": "application/json" }
    if (call.bearer !== undefined) headers.authorization = `Bearer ${call.bearer}`
    return fetch(`${baseUrl}${call.path}`, {
      method: call.method,
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) })
    }).then((response) => response.text().then((text): Answer => ({ status: response.status, text })))
  })

const isSuccess = (answer: Answer) => answer.status >= 200 && answer.status < 300

/** A 2xx answer's JSON body; anything else stops the benchmark, saying what failed. */
const json = <A>(what: string, answer: Answer): Effect.Effect<A> =>
  isSuccess(answer)
    ? Effect.succeed(JSON.parse(answer.text) as A)
    : Effect.die(new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`))

/** `calls` sent by `concurrency` workers, each taking the next call when its answer is in. */
const drive = (baseUrl: string, calls: ReadonlyArray<Call>, concurrency: number) =>
  Effect.gen(function* () {
    const answers: Array<Answer> = new Array(calls.length)
    const latencies: Array<number> = new Array(calls.length)
    let next = 0
    const worker = Effect.gen(function* () {
      while (next < calls.length) {
        const i = next++
        const start = performance.now()
        answers[i] = yield* send(baseUrl, calls[i] as Call)
        latencies[i] = performance.now() - start
      }
    })
    const start = performance.now()
    yield* Effect.all(
      Array.from({ length: concurrency }, () => worker),
      { concurrency: "unbounded", discard: true }
    )
    return { answers, latencies, ms: performance.now() - start }
  })

/** Seeding: `calls` 16 at a time, every one expected to succeed; their JSON bodies in order. */
const sendAll = <A>(baseUrl: string, what: string, calls: ReadonlyArray<Call>) =>
  Effect.flatMap(drive(baseUrl, calls, 16), ({ answers }) =>
    Effect.forEach(answers, (answer) => json<A>(what, answer))
  )

// ---------------------------------------------------------------------------------------------
// Figures

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0

const columns = (scenario: string, cells: ReadonlyArray<string>) =>
  `${scenario.padEnd(50)}${[9, 9, 7, 8, 8, 8, 8, 9].map((width, i) => (cells[i] ?? "").padStart(width)).join("")}`

const header = columns("scenario", [
  "in flight",
  "requests",
  "req/s",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "non-2xx",
  "expected"
])

/**
 * Times `calls` at `concurrency` and prints a row. Non-2xx answers are counted, never hidden:
 * their statuses are listed under the row, with the first body when more came than expected.
 */
const measure = (
  baseUrl: string,
  scenario: string,
  concurrency: number,
  calls: ReadonlyArray<Call>,
  expectedRefusals = 0
) =>
  Effect.gen(function* () {
    const run = yield* drive(baseUrl, calls, concurrency)
    const sorted = [...run.latencies].sort((a, b) => a - b)
    const refusals = run.answers.filter((answer) => !isSuccess(answer))
    yield* Effect.sync(() => {
      console.log(
        columns(scenario, [
          String(concurrency),
          String(calls.length),
          String(Math.round((calls.length * 1000) / run.ms)),
          ...[50, 95, 99].map((p) => percentile(sorted, p).toFixed(2)),
          String(refusals.length),
          String(expectedRefusals)
        ])
      )
      if (refusals.length === 0) return
      const statuses = new Map<number, number>()
      for (const { status } of refusals) statuses.set(status, (statuses.get(status) ?? 0) + 1)
      const listed = [...statuses].map(([status, n]) => `${n} × ${status}`).join(", ")
      const first = refusals[0]?.text.slice(0, 200) ?? ""
      console.log(`  non-2xx: ${listed}${refusals.length > expectedRefusals ? `; first: ${first}` : ""}`)
    })
    return run.answers
  })

// ---------------------------------------------------------------------------------------------
// The clinic

/** A patient as registered by the seeding. */
interface Registered {
  readonly id: string
  readonly email: string
  readonly card: string
}

/** A 10-digit health-card number; `pool` keeps the pools' numbers apart. */
const cardNumber = (pool: number, i: number) => String(pool * 1_000_000_000 + 100_000_000 + i)

const everyDay = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "23:30" }))

const appointmentType = (name: string, durationMinutes: number) => ({
  name,
  mode: "in-person",
  durationMinutes,
  patientBooking: "book",
  questionnaireIds: []
})

/**
 * The clinic and its API key go in through the built server's `ClinicRepo` and `ApiKeys` (as
 * `pnpm staff-key` would), everything else through the `/v1/staff` routes: the patients, two
 * providers open every day (00:00–23:30 in Toronto, so slots exist whenever it runs), one for the
 * availability reads and one for the bookings, and a 30-minute and a 5-minute type.
 */
const seed = (server: RunningServer) =>
  Effect.gen(function* () {
    const issued = yield* Effect.gen(function* () {
      yield* (yield* Clinic.ClinicRepo).save(clinic)
      return yield* (yield* ApiKeys.ApiKeys).issue({
        clinicId: clinic.id,
        staffId: staff.staffId,
        label: "http benchmark"
      })
    }).pipe(Effect.provide(server.context), Effect.orDie)
    const key = Redacted.value(issued.key)
    const staffPost = (path: string, body: unknown): Call => ({ method: "POST", path, body, bearer: key })
    const created = (what: string, path: string, body: unknown) =>
      Effect.map(
        Effect.flatMap(send(server.baseUrl, staffPost(path, body)), (answer) =>
          json<{ readonly id: string }>(what, answer)
        ),
        (resource) => resource.id
      )

    const register = (pool: number, name: string, count: number) =>
      Effect.gen(function* () {
        const patients = Array.from({ length: count }, (_, i) => ({
          card: cardNumber(pool, i),
          email: `${name}-${i}@example.org`
        }))
        const answers = yield* sendAll<{ readonly id: string }>(
          server.baseUrl,
          "registering a patient",
          patients.map((p, i) =>
            staffPost("/v1/staff/patients", {
              healthCard: { idType: "ON-HCN", number: p.card },
              legalName: { given: `Bench ${i}`, family: name },
              dateOfBirth: "1980-01-01",
              email: p.email,
              notificationPreference: "email",
              language: "en"
            })
          )
        )
        return patients.map((p, i): Registered => ({ ...p, id: cycle(answers, i).id }))
      })

    return {
      key,
      staffPost,
      // A few login codes each, within the per-patient send limit.
      starters: yield* register(1, "starter", Math.ceil(callsFor(FAST) / STARTS_PER_PATIENT)),
      // One login code each; their sessions then read and book.
      verifiers: yield* register(2, "verifier", callsFor(FAST)),
      readingProviderId: yield* created("creating a provider", "/v1/staff/providers", {
        name: "Dr. Okafor",
        weeklyHours: everyDay
      }),
      bookingProviderId: yield* created("creating a provider", "/v1/staff/providers", {
        name: "Dr. Lindqvist",
        weeklyHours: everyDay
      }),
      visitTypeId: yield* created(
        "creating an appointment type",
        "/v1/staff/appointment-types",
        appointmentType("Follow-up", 30)
      ),
      quickTypeId: yield* created(
        "creating an appointment type",
        "/v1/staff/appointment-types",
        appointmentType("Quick check", 5)
      )
    }
  })

type Seeded = Effect.Success<ReturnType<typeof seed>>

const loginStart = (card: string, contact: string): Call => ({
  method: "POST",
  path: "/v1/auth/login",
  body: { clinic: clinic.slug, identifier: { idType: "ON-HCN", number: card }, contact }
})

/**
 * A login started (untimed) for each of `patients`, then the verify call with the code the
 * dispatcher emailed them: each of them gets only this one code, so the address says whose it is.
 */
const verifyCalls = (server: RunningServer, patients: ReadonlyArray<Registered>) =>
  Effect.gen(function* () {
    const challenges = yield* sendAll<{ readonly challengeId: string }>(
      server.baseUrl,
      "starting a login",
      patients.map((p) => loginStart(p.card, p.email))
    )
    const wanted = new Set(patients.map((p) => p.email))
    const codes = new Map<string, string>()
    for (let polls = 0; codes.size < wanted.size; polls++) {
      if (polls === 200) return yield* Effect.die(new Error("waited 20 s in vain for the login codes"))
      if (polls > 0) yield* Effect.sleep("100 millis")
      for (const email of yield* TxRef.get(server.emails.state)) {
        const code = wanted.has(email.to) ? codeIn(email.text, "login code is") : undefined
        if (code !== undefined) codes.set(email.to, code)
      }
    }
    return patients.map(
      (p, i): Call => ({
        method: "POST",
        path: `/v1/auth/login/${cycle(challenges, i).challengeId}/verify`,
        body: { code: codes.get(p.email), stayLoggedIn: false }
      })
    )
  })

// ---------------------------------------------------------------------------------------------
// The scenarios

/** Every scenario on one running server, as one table. */
const scenarios = (server: RunningServer, seeded: Seeded) =>
  Effect.gen(function* () {
    yield* Effect.sync(() => console.log(header))
    /**
     * A scenario at each concurrency: `make(n, offset)` builds its next n calls (offset: how many
     * it built before), the first WARMUP of which go untimed. Every answer comes back, in order.
     */
    const scenario = <E, R>(
      name: string,
      counts: Counts,
      make: (count: number, offset: number) => Effect.Effect<ReadonlyArray<Call>, E, R>
    ) =>
      Effect.gen(function* () {
        const answers: Array<Answer> = []
        for (const concurrency of CONCURRENCIES) {
          const calls = yield* make(WARMUP + counts[concurrency], answers.length)
          const warm = yield* drive(server.baseUrl, calls.slice(0, WARMUP), concurrency)
          answers.push(
            ...warm.answers,
            ...(yield* measure(server.baseUrl, name, concurrency, calls.slice(WARMUP)))
          )
        }
        return answers
      })
    const repeat = (count: number, call: (i: number) => Call) =>
      Effect.succeed(Array.from({ length: count }, (_, i) => call(i)))

    yield* scenario("login start, registered patient (202)", FAST, (count, offset) =>
      repeat(count, (i) => {
        const p = cycle(seeded.starters, offset + i)
        return loginStart(p.card, p.email)
      })
    )
    yield* scenario("login start, unknown card (decoy, 202)", FAST, (count, offset) =>
      repeat(count, (i) => loginStart(cardNumber(9, offset + i), `nobody-${offset + i}@example.org`))
    )
    const verified = yield* scenario("login verify (200)", FAST, (count, offset) =>
      verifyCalls(server, seeded.verifiers.slice(offset, offset + count))
    )
    const sessions = yield* Effect.forEach(verified, (answer, i) =>
      Effect.map(json<{ readonly token: string }>("a login verify", answer), ({ token }) => ({
        token,
        patient: cycle(seeded.verifiers, i)
      }))
    )

    // Readers: one message from the clinic each, then their inbox read with their session.
    const readers = sessions.slice(0, 32)
    yield* sendAll(
      server.baseUrl,
      "sending a message",
      readers.map((r) =>
        seeded.staffPost("/v1/staff/messages", {
          patientId: r.patient.id,
          subject: "Your test results",
          body: "Your blood work is normal. Reply with any question.",
          replyAllowed: true
        })
      )
    )
    yield* scenario("GET /v1/messages (session check + read)", FAST, (count) =>
      repeat(count, (i) => ({ method: "GET", path: "/v1/messages", bearer: cycle(readers, i).token }))
    )

    const now = yield* DateTime.now
    const range = (from: DateTime.Utc, days: number) =>
      `from=${DateTime.formatIso(from)}&to=${DateTime.formatIso(DateTime.add(from, { days }))}`
    yield* scenario("GET availability, 7 days of 30-minute slots", SLOW, (count) =>
      repeat(count, (i) => ({
        method: "GET",
        path: `/v1/providers/${seeded.readingProviderId}/availability?type=${seeded.visitTypeId}&${range(now, 7)}`,
        bearer: cycle(readers, i).token
      }))
    )
    yield* scenario("GET /v1/staff/patients, page of 50 (API key)", FAST, (count) =>
      repeat(count, () => ({ method: "GET", path: "/v1/staff/patients", bearer: seeded.key }))
    )

    // Bookings: distinct 5-minute slots from an hour ahead, each by a different patient.
    const open = yield* Effect.flatMap(
      send(server.baseUrl, {
        method: "GET",
        path: `/v1/providers/${seeded.bookingProviderId}/availability?type=${seeded.quickTypeId}&${range(DateTime.add(now, { hours: 1 }), 14)}`,
        bearer: cycle(readers, 0).token
      }),
      (answer) =>
        json<ReadonlyArray<{ readonly start: string }>>("the booking provider's availability", answer)
    )
    const booked = callsFor(SLOW)
    if (booked + RACED_SLOTS > open.length || booked > sessions.length) {
      return yield* Effect.die(new Error("too few open slots or sessions for the bookings"))
    }
    const book = (token: string, start: string): Call => ({
      method: "POST",
      path: "/v1/appointments",
      body: { providerId: seeded.bookingProviderId, typeId: seeded.quickTypeId, start },
      bearer: token
    })
    yield* scenario("POST /v1/appointments, distinct 5-min slots (201)", SLOW, (count, offset) =>
      repeat(count, (i) => book(cycle(sessions, offset + i).token, cycle(open, offset + i).start))
    )
    // The race: RACERS patients at once for each slot; one books it, the others get 409.
    const raced = open.slice(booked, booked + RACED_SLOTS)
    yield* measure(
      server.baseUrl,
      `POST /v1/appointments, ${RACERS} race a slot (409)`,
      RACERS,
      raced.flatMap((slot) =>
        Array.from({ length: RACERS }, (_, i) => book(cycle(sessions, i).token, slot.start))
      ),
      raced.length * (RACERS - 1)
    )
  })

/** The server on `environment`, seeded and measured; the scope stops it and removes its data. */
const benchmark = (title: string, environment: Effect.Effect<Environment, never, Scope.Scope>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const began = performance.now()
      const seconds = () => ((performance.now() - began) / 1000).toFixed(1)
      const server = yield* startServer({ ...(yield* environment), ...benchEnvironment })
      const seeded = yield* seed(server)
      const patients = seeded.starters.length + seeded.verifiers.length
      yield* Effect.sync(() =>
        console.log(`\n${title}: started, ${patients} patients seeded in ${seconds()} s`)
      )
      yield* scenarios(server, seeded)
      yield* Effect.sync(() => console.log(`${title}: ${seconds()} s in all`))
    })
  )

/** Where `JourneySupport.postgresEnvironment` looks for PostgreSQL. */
const databaseUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

const program = Effect.gen(function* () {
  yield* benchmark("embedded database (PGlite)", embeddedEnvironment)
  if (yield* Database.isReachable(Redacted.make(databaseUrl))) {
    yield* benchmark("PostgreSQL (a fresh schema)", postgresEnvironment)
  } else {
    yield* Effect.sync(() =>
      console.log(
        "\nPostgreSQL: skipped, none answers at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)"
      )
    )
  }
}).pipe(
  // The server's INFO log of every request would measure the terminal; warnings and errors show.
  Effect.provideService(References.MinimumLogLevel, "Warn")
)

Effect.runPromise(program)
