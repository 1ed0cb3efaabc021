import type { Type } from "protobufjs/light.js";
import protobuf from "protobufjs/light.js";
import { ACS_DESCRIPTOR } from "./acs-descriptor.js";

/**
 * proto/acs.proto loaded into protobufjs (from the generated JSON descriptor, so nothing
 * is read from disk at run time). The small messages are encoded and decoded through it;
 * SiteState and SiteDelta have a hand-written codec (state-codec.ts) that produces the
 * same bytes. Useful as is for tools: `acsType("SiteState").decode(bytes)`.
 */
export const acsRoot: protobuf.Root = protobuf.Root.fromJSON(ACS_DESCRIPTOR);

/** A message type of package acs.v1 by its name, e.g. "SnapshotManifest". */
export function acsType(name: string): Type {
  return acsRoot.lookupType(`acs.v1.${name}`);
}
