/**
 * What the journey test needs around the composed reference server: its environment on a fresh
 * embedded database or in a fresh schema of the real PostgreSQL, the server started on a free
 * port with capturing senders, the codes read from the emails and SMS it delivered, the clinic
 * the journey runs in (`seedClinic`, through the staff routes), and the client derived from the
 * contract.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Contract } from "@careportal/api"
import { ApiKeys, Clinic, Delivery, Ids, type Patient, Staff } from "@careportal/domain"
import { Database } from "@careportal/postgres"
import { ConfigProvider, Context, Effect, Layer, Redacted, TxRef } from "effect"
import { HttpClient, HttpClientRequest, HttpServer } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { createFreshSchema, databaseUrl } from "../../../packages/postgres/test/freshSchema.ts"
import * as Server from "../src/Server.ts"

/** Variables of the server's environment (what `main.ts` would read from the process). */
export type Environment = Readonly<Record<string, string>>

const temporaryDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )

/** A fresh embedded database: no DATABASE_URL, the data directory a temporary one removed afterwards. */
export const embeddedEnvironment = Effect.map(
  temporaryDir("careportal-journey-"),
  (dir): Environment => ({ CAREPORTAL_DATA_DIR: dir })
)

/**
 * DATABASE_URL pointing at a fresh schema of the real PostgreSQL, dropped when the scope closes
 * (after the server, which was started later, has closed its pool). The schema is chosen with
 * the connection string's `options=-c search_path=…`, as any deployment could, so the server
 * is configured only through its environment. Without a reachable server: under CI a loud
 * failure (CI always has PostgreSQL); elsewhere a warning and the embedded database, as the
 * Postgres package's tests do.
 */
export const postgresEnvironment = Effect.gen(function* () {
  if (!(yield* Database.isReachable(databaseUrl))) {
    if (process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false") {
      return yield* Effect.die(
        new Error(
          "No PostgreSQL answers at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), and CI must run the journey on it: start PostgreSQL or set DATABASE_URL."
        )
      )
    }
    yield* Effect.sync(() =>
      console.warn(
        "careportal: no PostgreSQL reachable at DATABASE_URL; the journey's PostgreSQL case runs on the embedded database (PGlite) instead"
      )
    )
    return yield* embeddedEnvironment
  }
  // The Postgres tests' schemas, named and swept as theirs are.
  const schema = yield* createFreshSchema
  const scoped = new URL(Redacted.value(databaseUrl))
  const options = scoped.searchParams.get("options")
  scoped.searchParams.set("options", `${options === null ? "" : `${options} `}-c search_path=${schema}`)
  // Nothing needs the data directory here (PASSCODE_SECRET is set); a temporary one keeps any
  // stray write out of the checkout.
  const dir = yield* temporaryDir("careportal-journey-")
  const environment: Environment = { DATABASE_URL: scoped.toString(), CAREPORTAL_DATA_DIR: dir }
  return environment
})

/**
 * `Server.layer` on `environment`, at a free port on loopback, with email and SMS captured in
 * memory; codes reach them through the real dispatcher fiber. No variable of the machine's
 * environment leaks in. The scope stops it.
 */
export const startServer = (environment: Environment) =>
  Effect.gen(function* () {
    const senders = yield* Layer.build(
      Layer.mergeAll(Delivery.EmailSender.layerMemory, Delivery.SmsSender.layerMemory)
    )
    const config = ConfigProvider.fromUnknown({
      PORT: "0",
      HOST: "127.0.0.1",
      DISPATCH_POLL_INTERVAL: "100 millis",
      PASSCODE_SECRET: crypto.randomBytes(32).toString("base64url"),
      ...environment
    })
    const context = yield* Layer.build(
      Server.layer({ senders: Layer.succeedContext(senders) }).pipe(
        Layer.provide(ConfigProvider.layer(config))
      )
    )
    const address = Context.get(context, HttpServer.HttpServer).address
    if (address._tag === "UnixPathAddress") return yield* Effect.die(new Error("not a TCP address"))
    return {
      context,
      baseUrl: `http://127.0.0.1:${address.port}`,
      emails: Context.get(senders, Delivery.EmailSenderMemory),
      sms: Context.get(senders, Delivery.SmsSenderMemory)
    }
  })

/** The composed server, running: its built context (ports and services), its address and the captured deliveries. */
export type RunningServer = Effect.Success<ReturnType<typeof startServer>>

/** How many messages an inbox holds now: deliveries after this mark are the new ones. */
export const mark = <M>(inbox: { readonly state: TxRef.TxRef<ReadonlyArray<M>> }) =>
  Effect.map(TxRef.get(inbox.state), (all) => all.length)

/**
 * What `check` finds in what `read` answers, reading again every 100 ms for up to 10 s: for what
 * the dispatcher fiber does in its own time.
 */
export const eventually = <R, E, Q, A>(
  what: string,
  read: Effect.Effect<R, E, Q>,
  check: (value: R) => A | undefined
) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100; i++) {
      const found = check(yield* read)
      if (found !== undefined) return found
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.die(new Error(`waited 10 s in vain for ${what}`))
  })

/** What `check` finds in the whole inbox, waiting up to 10 s for the dispatcher to deliver it. */
export const awaitInbox = <M, A>(
  inbox: { readonly state: TxRef.TxRef<ReadonlyArray<M>> },
  what: string,
  check: (all: ReadonlyArray<M>) => A | undefined
) => eventually(`${what} to be delivered`, TxRef.get(inbox.state), check)

/** The first delivery after `since` that `pick` recognises (what `pick` returned). */
export const awaitDelivery = <M, A>(
  inbox: { readonly state: TxRef.TxRef<ReadonlyArray<M>> },
  since: number,
  what: string,
  pick: (message: M) => A | undefined
) =>
  awaitInbox(inbox, what, (all) => {
    for (const message of all.slice(since)) {
      const found = pick(message)
      if (found !== undefined) return found
    }
    return undefined
  })

/** The code in a rendered text, after `label` (e.g. "login code is", "Code:"). */
export const codeIn = (text: string, label: string): string | undefined => {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return new RegExp(`${escaped} ([A-Za-z0-9]+)`).exec(text)?.[1]
}

/** The derived client on the server, anonymous or with a bearer token. */
export const clientFor = (baseUrl: string, token?: string) =>
  HttpApiClient.make(Contract.Api, {
    baseUrl,
    ...(token === undefined
      ? {}
      : { transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(token)) })
  })

/** The clinic the journey runs in: not the demo clinic, so both databases start the same. */
export const clinic = new Clinic.Clinic({
  id: Ids.ClinicId.make("clinic-harbourview"),
  slug: "harbourview",
  name: "Harbourview Family Practice",
  timeZone: "America/Toronto",
  languages: ["en", "fr"],
  portalUrl: "https://portal.example.org/harbourview"
})

/**
 * The journey's patient as the front desk registers them: both contacts, notified on both. The
 * server normalises what is typed (the card's spaces, the email's case, the mobile's format);
 * the id it assigns is in `Seeded.patient`.
 */
export const registration = {
  healthCard: { idType: "on-hcn", number: "2468 013 579", versionCode: "MS" },
  legalName: { given: "Mary", family: "Seacole" },
  dateOfBirth: "1985-11-23",
  email: " Mary@Example.org ",
  mobile: "(416) 555-0123",
  notificationPreference: "both",
  address: { line1: "1 King St W", city: "Toronto", region: "ON", postalCode: "M5H 1A1", country: "CA" },
  language: "en"
} as const

/** The receptionist who sets the clinic up: whom the clinic API key acts as. */
export const staff = new Staff.StaffPrincipal({
  staffId: Ids.StaffId.make("staff-harbourview"),
  clinicId: clinic.id
})

/** The message the clinic sends; it takes replies. */
export const WELCOME = {
  subject: "Your test results",
  body: "Your blood work is normal. Reply with any question."
}

/** What the upload request asks for. */
export const UPLOAD_NOTE = "A photo of the rash on your left arm"

/** What `seedClinic` made, for the journey to use. */
export interface Seeded {
  /** The clinic API key the staff routes take (as `pnpm staff-key` would print it). */
  readonly staffKey: Redacted.Redacted<string>
  /** The patient as registered, with the id the server gave them. */
  readonly patient: Patient.Patient
  readonly providerId: Ids.ProviderId
  readonly followUpTypeId: Ids.AppointmentTypeId
  readonly checkupTypeId: Ids.AppointmentTypeId
  readonly questionnaireId: Ids.QuestionnaireId
  readonly messageId: Ids.MessageId
  readonly uploadRequestId: Ids.UploadRequestId
  readonly uploadLinkId: Ids.ChallengeId
}

/**
 * The clinic's side of the journey. There is no route for clinics, so the clinic goes into its
 * repository, and its first API key comes from the `ApiKeys` service of the built server, as an
 * operator would issue it with `pnpm staff-key`. Everything else goes through the
 * `/v1/staff/...` routes with that key: the patient registered, a provider open every day
 * (00:00–23:30 in Toronto, so slots exist whenever the test runs), a pre-visit questionnaire, a
 * follow-up type and a check-up type asking for it, a message that takes replies, and an upload
 * request (whose link notification goes out).
 */
export const seedClinic = (server: RunningServer) =>
  Effect.gen(function* () {
    const issued = yield* Effect.gen(function* () {
      yield* (yield* Clinic.ClinicRepo).save(clinic)
      return yield* (yield* ApiKeys.ApiKeys).issue({
        clinicId: clinic.id,
        staffId: staff.staffId,
        label: "journey test front desk"
      })
    }).pipe(Effect.provide(server.context))
    const desk = yield* clientFor(server.baseUrl, Redacted.value(issued.key))

    const registered = yield* desk.staffPatients.register({ payload: registration })
    const provider = yield* desk.staffSchedule.createProvider({
      payload: {
        name: "Dr. Okafor",
        weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "23:30" }))
      }
    })
    const questionnaire = yield* desk.staffCare.defineQuestionnaire({
      payload: {
        title: "Before your check-up",
        items: [
          { type: "boolean", linkId: "fever", text: "Any fever this week?", required: true },
          { type: "text", linkId: "concerns", text: "Anything else?", required: false, maxLength: 500 }
        ]
      }
    })
    const followUp = yield* desk.staffSchedule.createAppointmentType({
      payload: {
        name: "Follow-up",
        mode: "in-person",
        durationMinutes: 30,
        patientBooking: "book",
        questionnaireIds: []
      }
    })
    const checkup = yield* desk.staffSchedule.createAppointmentType({
      payload: {
        name: "Check-up",
        mode: "in-person",
        durationMinutes: 30,
        patientBooking: "book",
        questionnaireIds: [questionnaire.id]
      }
    })

    const sent = yield* desk.staffCare.sendMessage({
      payload: { patientId: registered.id, ...WELCOME, replyAllowed: true }
    })
    const upload = yield* desk.staffCare.requestUpload({
      payload: { patientId: registered.id, note: UPLOAD_NOTE }
    })
    return {
      staffKey: issued.key,
      patient: registered,
      providerId: provider.id,
      followUpTypeId: followUp.id,
      checkupTypeId: checkup.id,
      questionnaireId: questionnaire.id,
      messageId: sent.message.id,
      uploadRequestId: upload.request.id,
      uploadLinkId: upload.link.linkId
    } satisfies Seeded
  }).pipe(Effect.orDie)
