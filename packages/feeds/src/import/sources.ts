/**
 * The one list of feed sources for import: which files each wants and how
 * its files become one batch for the store.
 */
import type { Advisory, FeedBatch, FeedRecordError, FeedSource, ParseResult } from '@patchloop/core';
import { mergeAlpineAdvisories, parseAlpineSecdb } from '../alpine-secdb/index.js';
import { parseCveRecords } from '../cve/index.js';
import { parseDebianList } from '../debian/index.js';
import { parseEndOfLife } from '../endoflife/index.js';
import { parseEpss } from '../epss/index.js';
import { parseKev } from '../kev/index.js';
import { parseOsv } from '../osv/index.js';
import type { FeedFile } from './files.js';

export interface SourceImporter {
  /** Whether a file (by base name) in a directory or archive belongs to this source. */
  accept(name: string): boolean;
  /** Parses all files into one batch (null when nothing usable came out) and the records' errors. */
  parse(files: readonly FeedFile[]): { batch: FeedBatch | null; records: number; errors: FeedRecordError[] };
}

const json = (n: string) => /\.json$/i.test(n);

function advisories(parseOne: (f: FeedFile) => ParseResult<Advisory>): SourceImporter['parse'] {
  return (files) => {
    const records: Advisory[] = [];
    const errors: FeedRecordError[] = [];
    for (const f of files) {
      const r = parseOne(f);
      records.push(...r.records);
      errors.push(...r.errors);
    }
    return {
      batch: records.length > 0 ? { kind: 'advisories', records } : null,
      records: records.length,
      errors,
    };
  };
}

export const IMPORTERS: Readonly<Record<FeedSource, SourceImporter>> = {
  osv: { accept: json, parse: advisories((f) => parseOsv(f.text, f.name)) },
  'debian-dsa': {
    accept: (n) => n === 'list' || /dsa/i.test(n),
    parse: advisories((f) => parseDebianList(f.text, f.name, 'debian-dsa')),
  },
  'debian-dla': {
    accept: (n) => n === 'list' || /dla/i.test(n),
    parse: advisories((f) => parseDebianList(f.text, f.name, 'debian-dla')),
  },
  'alpine-secdb': {
    accept: (n) => /\.(json|ya?ml)$/i.test(n),
    // One advisory per CVE spans branches and files: merge what this import
    // brings, and let the store keep the branches it holds from other files.
    parse(files) {
      const r = advisories((f) => parseAlpineSecdb(f.text, f.name))(files);
      if (r.batch?.kind !== 'advisories') return r;
      const records = mergeAlpineAdvisories(r.batch.records);
      return { ...r, batch: { kind: 'advisories', records, mergeByRelease: true }, records: records.length };
    },
  },
  kev: {
    accept: json,
    parse(files) {
      const records = [];
      const errors: FeedRecordError[] = [];
      let catalogVersion: string | null = null;
      let dateReleased: string | null = null;
      for (const f of files) {
        if (/schema/i.test(f.name)) continue;
        const r = parseKev(f.text, f.name);
        records.push(...r.records);
        errors.push(...r.errors);
        catalogVersion ??= r.catalogVersion;
        dateReleased ??= r.dateReleased;
      }
      return {
        batch: records.length > 0 ? { kind: 'kev', records, catalogVersion, dateReleased } : null,
        records: records.length,
        errors,
      };
    },
  },
  epss: {
    accept: (n) => /\.csv(\.gz)?$/i.test(n),
    parse(files) {
      const errors: FeedRecordError[] = [];
      const all = files.map((f) => {
        const r = parseEpss(f.text, f.name);
        errors.push(...r.errors);
        return r.records[0];
      });
      // One day's file is the whole set; with several, the last (by name: dated file names sort) wins.
      const file = all.filter((x) => x !== undefined).at(-1);
      const n = file?.scores.length ?? 0;
      return { batch: file && n > 0 ? { kind: 'epss', file } : null, records: n, errors };
    },
  },
  cve: {
    accept: (n) => /\.(json|jsonl|ndjson)$/i.test(n),
    parse(files) {
      const records = [];
      const errors: FeedRecordError[] = [];
      for (const f of files) {
        const r = parseCveRecords(f.text, f.name);
        records.push(...r.records);
        errors.push(...r.errors);
      }
      return { batch: records.length > 0 ? { kind: 'cve', records } : null, records: records.length, errors };
    },
  },
  endoflife: {
    accept: (n) => json(n) && !n.startsWith('_'),
    parse(files) {
      const records = [];
      const errors: FeedRecordError[] = [];
      for (const f of files) {
        const r = parseEndOfLife(f.text, f.name);
        records.push(...r.records);
        errors.push(...r.errors);
      }
      return {
        batch: records.length > 0 ? { kind: 'endoflife', records } : null,
        records: records.length,
        errors,
      };
    },
  },
};
