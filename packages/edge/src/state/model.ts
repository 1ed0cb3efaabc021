/** The site state model is the wire's: central and the edge share it through @acs/protocol. */
export * from "@acs/protocol/model";
