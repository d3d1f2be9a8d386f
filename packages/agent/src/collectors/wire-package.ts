/** Core's InstalledPackage as it travels to the server. */
import type { InstalledPackage } from '@patchloop/core';
import type { UPDATE_CLASSIFICATIONS, WirePackage, WireUpdate } from '@patchloop/contracts';

/**
 * An update as collected: contracts' WireUpdate with `classification` spelled
 * out from UPDATE_CLASSIFICATIONS (its TypeBox static type, a union over a
 * mapped array, currently infers as `never`). Assignable to WireUpdate.
 */
export type CollectedUpdate = Omit<WireUpdate, 'classification'> & {
  classification: (typeof UPDATE_CLASSIFICATIONS)[number] | null;
};

export function toWirePackage(p: InstalledPackage): WirePackage {
  return {
    name: p.name,
    version: p.version,
    // The wire has no null arch: a package whose database names none travels with ''.
    arch: p.arch ?? '',
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    vendor: p.vendor,
    ...(p.epochKnown === false ? { epochKnown: false } : {}),
  };
}

/** What a parse of tool output gives: the items it understood, and a warning per line it did not. */
export interface Parsed<T> {
  items: T[];
  warnings: string[];
}

/** A text file read through the runner, decoded as UTF-8; null when missing. */
export function decode(buf: Buffer | null): string | null {
  return buf === null ? null : buf.toString('utf8');
}
