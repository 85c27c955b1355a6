/**
 * The failures a person meets while logging in or opening a link. Each message says what
 * to do next. None carries a code, a token or whether an identity exists.
 */
import { Schema } from "effect"
import { PasscodePurpose } from "./Passcode.ts"

const again = (purpose: PasscodePurpose): string =>
  purpose === "login-otp"
    ? "Start the login again to get a new code."
    : purpose === "contact-verify"
      ? "Ask for a new verification code."
      : "Use “Resend quick passcode” on the link page, or log in with your health card."

/** The code entered is not the one sent. */
export class PasscodeInvalid extends Schema.TaggedError<PasscodeInvalid>()("PasscodeInvalid", {
  attemptsLeft: Schema.Int
}) {
  override get message() {
    return `That code is not right. Check the latest message we sent and try again: ${this.attemptsLeft} ${
      this.attemptsLeft === 1 ? "attempt" : "attempts"
    } left before this code is locked.`
  }
}

/** Too many wrong entries: the code is locked and even the right one is refused. */
export class PasscodeLocked extends Schema.TaggedError<PasscodeLocked>()("PasscodeLocked", {
  purpose: PasscodePurpose
}) {
  override get message() {
    return `This code is locked after too many wrong entries. ${again(this.purpose)}`
  }
}

/** The code's lifetime has passed. */
export class PasscodeExpired extends Schema.TaggedError<PasscodeExpired>()("PasscodeExpired", {
  purpose: PasscodePurpose
}) {
  override get message() {
    return `This code has expired. ${
      this.purpose === "login-otp" ? "Ask for a new code or start the login again." : again(this.purpose)
    }`
  }
}

/** The code was already used once; codes are single use. */
export class PasscodeUsed extends Schema.TaggedError<PasscodeUsed>()("PasscodeUsed", {
  purpose: PasscodePurpose
}) {
  override get message() {
    return this.purpose === "login-otp"
      ? "This code was already used. Start the login again to get a new code."
      : "This link was already used. Log in with your health card to continue."
  }
}

/** A newer code was issued for the same purpose; only the newest one works. */
export class PasscodeSuperseded extends Schema.TaggedError<PasscodeSuperseded>()("PasscodeSuperseded", {
  purpose: PasscodePurpose
}) {
  override get message() {
    return "A newer code was sent after this one, and only the newest works. Use the code from the latest message."
  }
}

/** A new code was asked for too soon after the last one. */
export class ResendTooSoon extends Schema.TaggedError<ResendTooSoon>()("ResendTooSoon", {
  retryAfterSeconds: Schema.Int
}) {
  override get message() {
    return `A code was sent moments ago; it can take a minute to arrive. You can ask for another in ${this.retryAfterSeconds} s.`
  }
}

/** The daily number of codes for this target has been sent. */
export class ResendLimitReached extends Schema.TaggedError<ResendLimitReached>()("ResendLimitReached", {
  retryAfterSeconds: Schema.Int
}) {
  override get message() {
    return `We have sent as many codes as we can for now. Try again in ${Math.ceil(
      this.retryAfterSeconds / 3600
    )} h, or call the clinic.`
  }
}

/** Too many wrong codes for this patient across all their codes in the last hour. */
export class TooManyAttempts extends Schema.TaggedError<TooManyAttempts>()("TooManyAttempts", {
  retryAfterSeconds: Schema.Int
}) {
  override get message() {
    return `Too many wrong codes were entered for this account. For your security, try again in ${Math.ceil(
      this.retryAfterSeconds / 60
    )} min, or call the clinic.`
  }
}

/** The session has ended (logged out, idle too long, or past its lifetime). */
export class SessionExpired extends Schema.TaggedError<SessionExpired>()("SessionExpired", {}) {
  override get message() {
    return "Your session has ended. Please log in again."
  }
}

/** No session with that id belongs to the caller. */
export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", {}) {
  override get message() {
    return "There is no such session among yours. Refresh the list of your sessions."
  }
}

/** No login challenge with that id. */
export class ChallengeNotFound extends Schema.TaggedError<ChallengeNotFound>()("ChallengeNotFound", {}) {
  override get message() {
    return "This login attempt is not known. Start the login again."
  }
}

/** No link with that id. */
export class LinkNotFound extends Schema.TaggedError<LinkNotFound>()("LinkNotFound", {}) {
  override get message() {
    return "This link is not valid. Check that it was copied whole, or log in with your health card."
  }
}

/** The contact typed at login is neither an email address nor a phone number. */
export class ContactUnreadable extends Schema.TaggedError<ContactUnreadable>()("ContactUnreadable", {}) {
  override get message() {
    return "Enter the email address or mobile number the clinic has for you, e.g. name@example.org or 416 555 0100."
  }
}

/** The patient has no contact on the channel the code would go to. */
export class NoContactOnFile extends Schema.TaggedError<NoContactOnFile>()("NoContactOnFile", {}) {
  override get message() {
    return "There is no email address or mobile number on file to send a code to. Ask the clinic to add one."
  }
}

/** The failures of entering a code. */
export type PasscodeFailure =
  | PasscodeInvalid
  | PasscodeLocked
  | PasscodeExpired
  | PasscodeUsed
  | PasscodeSuperseded
  | TooManyAttempts

/** The failures of asking for a code again. */
export type ResendFailure =
  | ResendTooSoon
  | ResendLimitReached
  | PasscodeLocked
  | PasscodeUsed
  | PasscodeSuperseded

/**
 * A staff request without a usable clinic API key. One error for a key that is missing,
 * malformed, unknown or revoked, so that a caller learns nothing about which keys exist.
 */
export class ApiKeyInvalid extends Schema.TaggedError<ApiKeyInvalid>()("ApiKeyInvalid", {}) {
  override get message() {
    return "The API key is missing, unknown or revoked: send it as `Authorization: Bearer cpk_…`, or ask the clinic's administrator for a new one."
  }
}
