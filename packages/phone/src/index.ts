/**
 * @careportal/phone: the domain's `PhoneNumbers` over libphonenumber-js (`PhoneNumbers.layer`,
 * `PhoneNumbers.layerConfig`), accepting only valid numbers, answered in E.164.
 */
export * as PhoneNumbers from "./PhoneNumbers.ts"
