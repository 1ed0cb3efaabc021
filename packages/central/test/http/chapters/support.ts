/**
 * What the chapter tests share, by responsibility: the server and the calls (api.ts), the
 * steps of the work instruction (flows.ts), and the state the doors get (state.ts).
 */
export * from "./api.js";
export * from "./flows.js";
export * from "./state.js";
