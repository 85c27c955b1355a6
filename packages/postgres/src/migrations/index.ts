/**
 * The numbered, forward-only migrations, in order. A new one is a new file with the next
 * number; an applied one is never edited.
 */
import { Migrator } from "effect/sql"
import core from "./00001_core.ts"
import auth from "./00002_auth.ts"
import auditOutbox from "./00003_audit_outbox.ts"
import scheduling from "./00004_scheduling.ts"
import careRecords from "./00005_care_records.ts"
import messagesUploads from "./00006_messages_uploads.ts"
import outboxDelivery from "./00007_outbox_delivery.ts"
import staff from "./00008_staff.ts"
import rateLimits from "./00009_rate_limits.ts"
import appointmentsListing from "./00010_appointments_listing.ts"
import outboxClinicListing from "./00011_outbox_clinic_listing.ts"

/** Every migration by `<number>_<name>`. */
export const loader = Migrator.fromRecord({
  "00001_core": core,
  "00002_auth": auth,
  "00003_audit_outbox": auditOutbox,
  "00004_scheduling": scheduling,
  "00005_care_records": careRecords,
  "00006_messages_uploads": messagesUploads,
  "00007_outbox_delivery": outboxDelivery,
  "00008_staff": staff,
  "00009_rate_limits": rateLimits,
  "00010_appointments_listing": appointmentsListing,
  "00011_outbox_clinic_listing": outboxClinicListing
})
