/**
 * Staff patient management: registration normalises and lists every bad detail at once; one
 * card is one patient, also under concurrent registrations; the clinic's list pages through
 * every patient once, in order, and searches names and cards; another clinic's patient is
 * `NotFound` everywhere; what staff see of notifications never holds a code.
 */
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Redacted, Result, Schema, TxRef } from "effect"
import { TestClock } from "effect/testing"
import { AuditLogMemory } from "../src/AuditLog.ts"
import { NotFound } from "../src/CareErrors.ts"
import { ChartEntry, ChartRepo } from "../src/Chart.ts"
import { ClinicRepo } from "../src/Clinic.ts"
import { ChartEntryId, ClinicId, PatientId, StaffId } from "../src/Ids.ts"
import { InvalidCursor, InvalidPageSize } from "../src/Message.ts"
import { Messaging } from "../src/Messaging.ts"
import { OutboxMemory } from "../src/Outbox.ts"
import type { Patient } from "../src/Patient.ts"
import { PatientAlreadyRegistered, type PatientDetailsInvalid } from "../src/PatientErrors.ts"
import { compareSortKeys, PatientRepoMemory, sortKeyOf } from "../src/PatientRepo.ts"
import { checkRegistration, isCalendarDate, type PatientRegistration, Patients } from "../src/Patients.ts"
import { StaffPrincipal, systemActor } from "../src/Staff.ts"
import * as Testing from "../src/testing/index.ts"
import { requireCode, startLoginFor } from "./support.ts"

const otherClinicId = ClinicId.make("clinic-ottawa-east")

const staffOf = (clinicId: ClinicId, id = "reception") =>
  new StaffPrincipal({ staffId: StaffId.make(id), clinicId })
const staff = staffOf(Testing.clinicId)

/** Noon in Toronto on 2026-06-15. */
const NOW = Date.parse("2026-06-15T16:00:00.000Z")

/** The whole domain in memory, both clinics on record, the clock at `NOW`. */
const run = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    const clinics = yield* ClinicRepo
    yield* clinics.save(Testing.makeClinic())
    yield* clinics.save(Testing.makeClinic({ id: otherClinicId, slug: "ottawa-east", name: "Ottawa East" }))
    return yield* body
  }).pipe(Effect.provide(Testing.layerCareMemory()))

const ada: PatientRegistration = {
  healthCard: { idType: " on-hcn ", number: "1234-567-890", versionCode: "ab" },
  legalName: { given: " Ada ", family: "Lovelace " },
  dateOfBirth: "1985-12-10",
  email: "  Ada@Example.ORG ",
  mobile: "(416) 555-0100"
}

const register = (input: PatientRegistration, as: StaffPrincipal = staff) =>
  Effect.flatMap(Patients, (p) => p.register(as, input))

const storedPatients = Effect.flatMap(PatientRepoMemory, (h) => TxRef.get(h.state))
const auditEvents = Effect.flatMap(AuditLogMemory, (h) => TxRef.get(h.state))

const fieldsOf = (error: PatientDetailsInvalid) => error.fields.map((f) => f.field)

describe("Patients.register", () => {
  it.effect(
    "normalises the card, names, email and mobile; defaults the preference and language; audits",
    () =>
      run(
        Effect.gen(function* () {
          const patient = yield* register(ada)
          assert.deepStrictEqual(
            {
              card: { ...patient.healthCard },
              name: patient.legalName,
              email: patient.email,
              mobile: patient.mobile,
              preference: patient.notificationPreference,
              language: patient.language,
              clinicId: patient.clinicId
            },
            {
              card: { idType: "ON-HCN", number: "1234567890", versionCode: "AB" },
              name: { given: "Ada", family: "Lovelace" },
              email: "ada@example.org",
              mobile: "+14165550100",
              preference: "email",
              language: "en",
              clinicId: Testing.clinicId
            } as never
          )
          assert.deepStrictEqual(yield* Effect.flatMap(Patients, (p) => p.get(staff, patient.id)), patient)
          const events = (yield* auditEvents).filter((e) => e.action === "patient.registered")
          assert.deepStrictEqual(
            events.map((e) => [e.actor.kind, e.actor.id, e.patientId, e.outcome]),
            [["staff", "reception", patient.id, "success"]]
          )
        })
      )
  )

  it.effect(
    "the preference defaults to SMS with only a mobile, to email with neither; an address is checked and kept",
    () =>
      run(
        Effect.gen(function* () {
          const bySms = yield* register({
            ...ada,
            healthCard: { idType: "ON-HCN", number: "2000000001" },
            email: undefined,
            language: "fr"
          })
          assert.strictEqual(bySms.notificationPreference, "sms")
          assert.strictEqual(bySms.email, undefined)
          assert.strictEqual(bySms.language, "fr")
          const none = yield* register({
            ...ada,
            healthCard: { idType: "ON-HCN", number: "2000000002" },
            email: " ",
            mobile: "",
            address: {
              line1: " 1 King St W ",
              city: "Toronto",
              region: "ON",
              postalCode: "m5h1a1",
              country: "CA"
            }
          })
          assert.strictEqual(none.notificationPreference, "email")
          assert.strictEqual(none.mobile, undefined)
          assert.strictEqual(none.healthCard.versionCode, undefined)
          assert.deepStrictEqual([none.address?.line1, none.address?.postalCode], ["1 King St W", "M5H 1A1"])
        })
      )
  )

  it.effect("every bad detail is listed at once, nothing is written, and the refusal is audited", () =>
    run(
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          register({
            healthCard: { idType: "x", number: "12ab", versionCode: "A1" },
            legalName: { given: "  ", family: "x".repeat(201) },
            dateOfBirth: "1985-02-29",
            email: "ada@",
            mobile: "555-0100",
            notificationPreference: "fax" as never,
            language: "de" as never,
            address: { line1: "", city: "Toronto", region: "ON", postalCode: "99999", country: "CA" }
          })
        )
        assert.strictEqual(error._tag, "PatientDetailsInvalid")
        if (error._tag !== "PatientDetailsInvalid") return
        assert.deepStrictEqual(fieldsOf(error), [
          "healthCard.idType",
          "healthCard.number",
          "healthCard.versionCode",
          "legalName.given",
          "legalName.family",
          "dateOfBirth",
          "email",
          "mobile",
          "notificationPreference",
          "language",
          "address.line1",
          "address.postalCode"
        ])
        for (const f of error.fields) assert.isAbove(f.message.length, 5, `${f.field} says what to do`)
        assert.include(error.message, "healthCard.number")
        assert.strictEqual((yield* storedPatients).size, 0)
        const events = (yield* auditEvents).filter((e) => e.action === "patient.registered")
        assert.deepStrictEqual(
          events.map((e) => [e.outcome, e.reason, e.patientId]),
          [["failure", "PatientDetailsInvalid", null]]
        )
      })
    )
  )

  it.effect("a preference that needs a contact not given is refused, naming what to add", () =>
    run(
      Effect.gen(function* () {
        const noMobile = yield* Effect.flip(
          register({ ...ada, mobile: undefined, notificationPreference: "both" })
        )
        assert.deepStrictEqual(noMobile._tag === "PatientDetailsInvalid" ? fieldsOf(noMobile) : [], [
          "notificationPreference"
        ])
        assert.include(noMobile.message, "a mobile number")
        const neither = yield* Effect.flip(
          register({ ...ada, email: undefined, mobile: undefined, notificationPreference: "email" })
        )
        assert.include(neither.message, "an email address")
        // A contact given but unreadable is that contact's problem alone.
        const badEmail = yield* Effect.flip(
          register({ ...ada, email: "not an email", notificationPreference: "email" })
        )
        assert.deepStrictEqual(badEmail._tag === "PatientDetailsInvalid" ? fieldsOf(badEmail) : [], ["email"])
      })
    )
  )

  it.effect("the date of birth is a real date, on or before the clinic's today (in its time zone)", () =>
    run(
      Effect.gen(function* () {
        const dob = (dateOfBirth: string, n: number) =>
          register({
            ...ada,
            dateOfBirth,
            healthCard: { idType: "ON-HCN", number: String(3_000_000_000 + n) }
          }).pipe(
            Effect.map(() => "ok"),
            Effect.catchTag("PatientDetailsInvalid", (e) =>
              Effect.succeed(e.fields.map((f) => f.field).join())
            )
          )
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["2024-02-29", "ok"],
          ["2000-02-29", "ok"],
          ["2023-02-29", "dateOfBirth"],
          ["1900-02-29", "dateOfBirth"],
          ["2024-04-31", "dateOfBirth"],
          ["2024-13-01", "dateOfBirth"],
          ["2024-1-01", "dateOfBirth"],
          ["1899-12-31", "dateOfBirth"],
          ["2026-06-15", "ok"],
          ["2026-06-16", "dateOfBirth"]
        ]
        let n = 0
        for (const [date, expected] of cases) assert.strictEqual(yield* dob(date, n++), expected, date)
        // 02:00 UTC on the 16th is still the 15th in Toronto: the 16th is tomorrow there.
        yield* TestClock.setTime(Date.parse("2026-06-16T02:00:00.000Z"))
        assert.strictEqual(yield* dob("2026-06-16", n++), "dateOfBirth")
        yield* TestClock.setTime(Date.parse("2026-06-16T05:00:00.000Z"))
        assert.strictEqual(yield* dob("2026-06-16", n++), "ok")
      })
    )
  )

  it.prop(
    "only real calendar dates are taken as dates of birth",
    {
      year: Schema.Int.check(Schema.isBetween({ minimum: 1900, maximum: 2026 })),
      month: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 13 })),
      day: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 32 }))
    },
    ({ year, month, day }) => {
      const text = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`
      const date = new Date(Date.UTC(year, month - 1, day))
      const real =
        month >= 1 &&
        day >= 1 &&
        date.getUTCFullYear() === year &&
        date.getUTCMonth() === month - 1 &&
        date.getUTCDate() === day
      assert.strictEqual(isCalendarDate(text), real, text)
    }
  )

  // Each detail that can be wrong: how to make it wrong (and, for the address, right).
  type Edit = (input: PatientRegistration) => PatientRegistration
  const card = (input: PatientRegistration, change: Partial<PatientRegistration["healthCard"]>) => ({
    ...input,
    healthCard: { ...input.healthCard, ...change }
  })
  const name = (input: PatientRegistration, change: Partial<PatientRegistration["legalName"]>) => ({
    ...input,
    legalName: { ...input.legalName, ...change }
  })
  const address = (postalCode: string) => ({
    line1: "1 Main St",
    city: "Toronto",
    region: "ON",
    postalCode,
    country: "CA"
  })
  const same: Edit = (input) => input
  const details: ReadonlyArray<readonly [string, Edit, Edit]> = [
    ["healthCard.idType", same, (i) => card(i, { idType: "O" })],
    ["healthCard.number", same, (i) => card(i, { number: "123" })],
    ["healthCard.versionCode", same, (i) => card(i, { versionCode: "ABCDE" })],
    ["legalName.given", same, (i) => name(i, { given: "\u0007Ada" })],
    ["legalName.family", same, (i) => name(i, { family: "" })],
    ["dateOfBirth", same, (i) => ({ ...i, dateOfBirth: "10/12/1985" })],
    ["email", same, (i) => ({ ...i, email: "ada at example.org" })],
    ["mobile", same, (i) => ({ ...i, mobile: "12" })],
    ["language", same, (i) => ({ ...i, language: "es" as never })],
    [
      "address.postalCode",
      (i) => ({ ...i, address: address("M5H 2N2") }),
      (i) => ({ ...i, address: address("123") })
    ]
  ]

  it.prop(
    "whatever details are wrong, exactly those are listed, in one error; with none wrong the patient registers",
    { wrong: Schema.Array(Schema.Boolean).check(Schema.isBetweenLength(details.length, details.length)) },
    ({ wrong }) => {
      let input: PatientRegistration = ada
      const expected: Array<string> = []
      details.forEach(([field, right, bad], i) => {
        input = (wrong[i] ? bad : right)(input)
        if (wrong[i]) expected.push(field)
      })
      const result = checkRegistration(input, "2026-06-15")
      if (expected.length === 0) assert.isTrue(Result.isSuccess(result))
      else {
        assert.isTrue(Result.isFailure(result))
        if (Result.isFailure(result)) assert.deepStrictEqual(fieldsOf(result.failure), expected)
      }
    }
  )
})

describe("Patients.register: one card, one patient", () => {
  it.effect(
    "a card the clinic has (whatever its formatting or version code) is PatientAlreadyRegistered; another clinic may have it",
    () =>
      run(
        Effect.gen(function* () {
          const first = yield* register(ada)
          const again = yield* Effect.flip(
            register({
              ...ada,
              healthCard: { idType: "ON-HCN", number: "1234 567 890", versionCode: "ZZ" },
              legalName: { given: "Someone", family: "Else" }
            })
          )
          assert.deepStrictEqual(again, new PatientAlreadyRegistered({ patientId: first.id }))
          assert.include(again.message, first.id)
          assert.strictEqual((yield* storedPatients).size, 1)
          const elsewhere = yield* register(ada, staffOf(otherClinicId))
          assert.strictEqual(elsewhere.clinicId, otherClinicId)
          assert.notStrictEqual(elsewhere.id, first.id)
          const refusals = (yield* auditEvents).filter((e) => e.outcome === "failure")
          assert.deepStrictEqual(
            refusals.map((e) => [e.action, e.reason, e.patientId]),
            [["patient.registered", "PatientAlreadyRegistered", first.id]]
          )
        })
      )
  )

  it.effect("20 concurrent registrations of one card make exactly one patient; the others name it", () =>
    run(
      Effect.gen(function* () {
        const outcomes = yield* Effect.all(
          Array.from({ length: 20 }, (_, i) =>
            Effect.result(register({ ...ada, legalName: { given: `Ada${i}`, family: "Lovelace" } }))
          ),
          { concurrency: "unbounded" }
        )
        const created = outcomes.filter(Result.isSuccess).map((r) => r.success)
        assert.strictEqual(created.length, 1)
        const winner = created[0] as Patient
        for (const r of outcomes)
          if (Result.isFailure(r))
            assert.deepStrictEqual(r.failure, new PatientAlreadyRegistered({ patientId: winner.id }))
        assert.deepStrictEqual([...(yield* storedPatients).values()], [winner])
      })
    )
  )
})

describe("Patients.list", () => {
  const NameParts = Schema.Literals([
    "Ada",
    "ada",
    "Émile",
    "Zoë",
    "O'Neil",
    "de Souza",
    "Ørsted",
    "Li",
    "ÉMILE"
  ])

  /** Every page of the listing, following the cursors. */
  const allPages = (as: StaffPrincipal, limit: number, query?: string) =>
    Effect.gen(function* () {
      const patients = yield* Patients
      const pages: Array<ReadonlyArray<Patient>> = []
      let cursor: string | undefined
      for (let guard = 0; guard < 1_000; guard++) {
        const page = yield* patients.list(as, { limit, cursor, query })
        assert.isAtMost(page.patients.length, limit)
        pages.push(page.patients)
        if (page.nextCursor === null) return pages
        cursor = page.nextCursor
      }
      return yield* Effect.die(new Error("paging did not end"))
    })

  it.effect.prop(
    "paging visits each of the clinic's patients exactly once, by family name, given name, id, whatever the page size",
    {
      people: Schema.Array(Schema.Tuple([NameParts, NameParts, Schema.Boolean])).check(
        Schema.isBetweenLength(0, 14)
      ),
      limit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 6 }))
    },
    ({ people, limit }) =>
      run(
        Effect.gen(function* () {
          const mine: Array<Patient> = []
          let n = 0
          for (const [given, family, here] of people) {
            const registered = yield* register(
              {
                ...ada,
                healthCard: { idType: "ON-HCN", number: String(4_000_000_000 + n++) },
                legalName: { given, family }
              },
              here ? staff : staffOf(otherClinicId)
            )
            if (here) mine.push(registered)
          }
          const pages = yield* allPages(staff, limit)
          const expected = [...mine].sort((a, b) => compareSortKeys(sortKeyOf(a), sortKeyOf(b)))
          assert.deepStrictEqual(
            pages.flat().map((p) => p.id),
            expected.map((p) => p.id)
          )
          // Only the last page may be short, and only an empty clinic has an empty page.
          for (const page of pages.slice(0, -1)) assert.strictEqual(page.length, limit)
          if (mine.length > 0) assert.isAbove(pages.at(-1)?.length ?? 0, 0)
        })
      ),
    { arbitrary: { runs: 40 } }
  )

  it.effect("a registration while staff page neither shifts nor repeats the later pages", () =>
    run(
      Effect.gen(function* () {
        const patients = yield* Patients
        for (const [i, family] of ["Baker", "Carter", "Evans", "Foster"].entries())
          yield* register({
            ...ada,
            healthCard: { idType: "ON-HCN", number: String(5_000_000_000 + i) },
            legalName: { given: "A", family }
          })
        const first = yield* patients.list(staff, { limit: 2 })
        assert.deepStrictEqual(
          first.patients.map((p) => p.legalName.family),
          ["Baker", "Carter"]
        )
        yield* register({
          ...ada,
          healthCard: { idType: "ON-HCN", number: "5000000009" },
          legalName: { given: "A", family: "Abbott" }
        })
        yield* register({
          ...ada,
          healthCard: { idType: "ON-HCN", number: "5000000008" },
          legalName: { given: "A", family: "Dunn" }
        })
        const second = yield* patients.list(staff, { limit: 2, cursor: first.nextCursor ?? "" })
        assert.deepStrictEqual(
          second.patients.map((p) => p.legalName.family),
          ["Dunn", "Evans"]
        )
      })
    )
  )

  it.effect(
    "a query keeps name prefixes (ignoring case, accents and punctuation) or card-number prefixes",
    () =>
      run(
        Effect.gen(function* () {
          const patients = yield* Patients
          const people: ReadonlyArray<readonly [string, string, string]> = [
            ["Amélie", "O'Connor-Tremblay", "6100000001"],
            ["Ada", "Lovelace", "6100000002"],
            ["Conan", "Doyle", "6200000003"]
          ]
          for (const [given, family, number] of people)
            yield* register({
              ...ada,
              healthCard: { idType: "ON-HCN", number },
              legalName: { given, family }
            })
          yield* register(
            { ...ada, healthCard: { idType: "ON-HCN", number: "6100000009" } },
            staffOf(otherClinicId)
          )
          const found = (query: string) =>
            Effect.map(patients.list(staff, { query, limit: 50 }), (page) =>
              page.patients.map((p) => p.legalName.given)
            )
          assert.deepStrictEqual(yield* found("o'con"), ["Amélie"])
          assert.deepStrictEqual(yield* found("OCONNOR"), ["Amélie"])
          assert.deepStrictEqual(yield* found("AME"), ["Amélie"])
          assert.deepStrictEqual(yield* found("ada lov"), ["Ada"])
          assert.deepStrictEqual(yield* found("61"), ["Ada", "Amélie"])
          assert.deepStrictEqual(yield* found(" 6200-000 "), ["Conan"])
          assert.deepStrictEqual(yield* found("zz"), [])
          assert.deepStrictEqual(yield* found("   "), ["Conan", "Ada", "Amélie"])
        })
      )
  )

  it.effect(
    "a cursor it did not hand out is InvalidCursor; a page size out of range is InvalidPageSize",
    () =>
      run(
        Effect.gen(function* () {
          const patients = yield* Patients
          for (const cursor of ["", "abc", "bTEuMTIzLnBhdGllbnQ", "W10", "x".repeat(5_000)]) {
            assert.deepStrictEqual(
              yield* Effect.flip(patients.list(staff, { limit: 10, cursor })),
              new InvalidCursor()
            )
          }
          for (const limit of [0, -1, 1.5, 201, Number.NaN]) {
            assert.deepStrictEqual(
              yield* Effect.flip(patients.list(staff, { limit })),
              new InvalidPageSize({ limit, max: 200 })
            )
            assert.deepStrictEqual(
              yield* Effect.flip(patients.notifications(staff, PatientId.make("x"), { limit })),
              new InvalidPageSize({ limit, max: 200 })
            )
          }
        })
      )
  )
})

describe("Patients: another clinic's patient is NotFound, like a missing one", () => {
  it.effect(
    "get, chart and notifications answer NotFound for another clinic's patient and for a missing id",
    () =>
      run(
        Effect.gen(function* () {
          const patients = yield* Patients
          const theirs = yield* register(ada, staffOf(otherClinicId))
          const missing = PatientId.make("no-such-patient")
          for (const id of [theirs.id, missing]) {
            const errors = [
              yield* Effect.flip(patients.get(staff, id)),
              yield* Effect.flip(patients.chart(staff, id)),
              yield* Effect.flip(patients.notifications(staff, id, { limit: 10 }))
            ]
            for (const e of errors) assert.deepStrictEqual(e as unknown, new NotFound({ kind: "patient" }))
          }
          // Their own clinic reaches them.
          assert.deepStrictEqual(yield* patients.get(staffOf(otherClinicId), theirs.id), theirs)
          const refusals = (yield* auditEvents).filter((e) => e.clinicId === Testing.clinicId)
          assert.deepStrictEqual(
            refusals.map((e) => [e.action, e.outcome, e.patientId]),
            [
              ["patient.viewed", "failure", null],
              ["chart.viewed", "failure", null],
              ["notification.listed", "failure", null],
              ["patient.viewed", "failure", null],
              ["chart.viewed", "failure", null],
              ["notification.listed", "failure", null]
            ]
          )
        })
      )
  )
})

describe("Patients.chart and Patients.notifications", () => {
  it.effect("the chart is the patient's entries, newest first", () =>
    run(
      Effect.gen(function* () {
        const patient = yield* register(ada)
        const chart = yield* ChartRepo
        const entry = (n: number, at: string) =>
          new ChartEntry({
            id: ChartEntryId.make(`entry-${n}`),
            clinicId: Testing.clinicId,
            patientId: patient.id,
            kind: "demographics-change",
            source: systemActor,
            origin: `patient:${patient.id}`,
            content: { n },
            filedAt: DateTime.makeUnsafe(at)
          })
        yield* chart.file(entry(1, "2026-01-01T00:00:00Z"))
        yield* chart.file(entry(2, "2026-02-01T00:00:00Z"))
        assert.deepStrictEqual(
          (yield* Effect.flatMap(Patients, (p) => p.chart(staff, patient.id))).map((e) => e.id),
          ["entry-2", "entry-1"]
        )
      })
    )
  )

  it.effect(
    "notification views say where each went and how; never a code, sealed or plain, nor the link",
    () =>
      run(
        Effect.gen(function* () {
          const patients = yield* Patients
          const patient = yield* register({ ...ada, notificationPreference: "both" })
          // A login code (email and SMS) and a quick link for a message.
          const challengeId = yield* startLoginFor(patient)
          const code = Redacted.value(yield* requireCode(challengeId))
          const sent = yield* (yield* Messaging).send(staff, {
            patientId: patient.id,
            subject: "Results",
            body: "Your results are in.",
            replyAllowed: false
          })
          const outbox = (yield* Effect.flatMap(OutboxMemory, (h) => TxRef.get(h.state))).filter(
            (n) => n.patientId === patient.id
          )
          const views = yield* patients.notifications(staff, patient.id, { limit: 50 })
          // One view per notification, newest first (same instant: latest queued first).
          assert.deepStrictEqual(
            views.map((v) => v.id),
            [...outbox].reverse().map((n) => n.id)
          )
          assert.deepStrictEqual(
            views.map((v) => [v.template, v.channel, v.to, v.status, v.attempts, v.lastError, v.sentAt]),
            [
              ["link-code", "sms", "+14165550100", "pending", 0, null, null],
              ["link-code", "email", "ada@example.org", "pending", 0, null, null],
              ["login-code", "email", "ada@example.org", "pending", 0, null, null]
            ]
          )
          const json = JSON.stringify(views)
          assert.notInclude(json, code)
          for (const n of outbox) {
            if (n.payload.code !== undefined) assert.notInclude(json, n.payload.code)
            if (n.payload.challengeId !== undefined) assert.notInclude(json, n.payload.challengeId)
            if (n.payload.path !== undefined) assert.notInclude(json, n.payload.path)
          }
          assert.notInclude(json, sent.link?.linkId ?? "no link")
          assert.deepStrictEqual(
            (yield* patients.notifications(staff, patient.id, { limit: 1 })).map((v) => v.id),
            [views[0]?.id]
          )
        })
      )
  )
})
