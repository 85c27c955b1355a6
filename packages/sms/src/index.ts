/**
 * @careportal/sms: the domain's `SmsSender` over a Twilio-compatible HTTP API (`Twilio`), and
 * a console sender for development (`Console`).
 */
export * as Console from "./Console.ts"
export * as Twilio from "./Twilio.ts"
