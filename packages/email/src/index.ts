/**
 * @careportal/email: the domain's `EmailSender` over SMTP (`Smtp.layerConfig`), and a console
 * sender for development (`Console.layer`).
 */
export * as Console from "./Console.ts"
export * as Ics from "./Ics.ts"
export * as Smtp from "./Smtp.ts"
