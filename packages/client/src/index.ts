/**
 * @careportal/client: the typed client derived from careportal's HTTP contract, for a vendor's
 * portal in a browser or in Node. It carries no server code.
 */

export * as Contract from "@careportal/api/Contract"
export * as Client from "./Client.ts"
