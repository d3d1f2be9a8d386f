/**
 * The one list of feed sources for import: which files each wants and how
 * its files become one batch for the store.
 */
import type {
  Advisory,
  ChunkBatch,
  FeedBatch,
  FeedRecordError,
  FeedSource,
  ParseResult,
} from '@patchloop/core';
import { mergeAlpineAdvisories, parseAlpineSecdb } from '../alpine-secdb/index.js';
import { parseCveRecords } from '../cve/index.js';
import { parseDebianList } from '../debian/index.js';
import { parseEndOfLife } from '../endoflife/index.js';
import { parseEpss } from '../epss/index.js';
import { parseKev } from '../kev/index.js';
import { parseOsv } from '../osv/index.js';
import type { FeedFile } from './files.js';

export interface SourceImporter {
  /** Whether a file (by its path inside a directory or archive) belongs to this source. */
  accept(path: string): boolean;
  /** Parses all files into one batch (null when nothing usable came out) and the records' errors. */
  parse(files: readonly FeedFile[]): {
    batch: FeedBatch | null;
    records: number;
    errors: FeedRecordError[];
    /** Entries the catalogue says it holds (KEV's `count`), when it says. */
    announced?: number;
  };
  /**
   * Sources whose files parse on their own, record by record: an import
   * streams them and applies the records in bounded chunks. The others (a
   * catalog published whole, or records merged across files) are small and
   * parsed together.
   */
  stream?: {
    readonly kind: ChunkBatch['kind'];
    parseOne(file: FeedFile): ParseResult<ChunkBatch['records'][number]>;
  };
}

const json = (n: string) => /\.json$/i.test(n);
const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

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

function streamed(
  parseOne: (f: FeedFile) => ParseResult<Advisory>,
  accept: (p: string) => boolean,
): SourceImporter {
  return { accept, parse: advisories(parseOne), stream: { kind: 'advisories', parseOne } };
}

export const IMPORTERS: Readonly<Record<FeedSource, SourceImporter>> = {
  osv: streamed((f) => parseOsv(f.text, f.name), json),
  'debian-dsa': streamed(
    (f) => parseDebianList(f.text, f.name, 'debian-dsa'),
    // The tracker's data/DSA/list (or a file named for DSAs), never data/DLA/list.
    (p) => /(^|\/)DSA\/list$/.test(p) || p === 'list' || /dsa/i.test(base(p)),
  ),
  'debian-dla': streamed(
    (f) => parseDebianList(f.text, f.name, 'debian-dla'),
    (p) => /(^|\/)DLA\/list$/.test(p) || p === 'list' || /dla/i.test(base(p)),
  ),
  'alpine-secdb': {
    accept: (p) => /\.(json|ya?ml)$/i.test(p),
    // One advisory per CVE spans branches and files: merge what this import
    // brings, and let the store keep the branches it holds from other files.
    parse(all) {
      // The secdb publishes each branch as YAML and as JSON: read one of them.
      const stems = new Set(
        all.filter((f) => /\.json$/i.test(f.name)).map((f) => f.name.replace(/\.json$/i, '')),
      );
      const files = all.filter(
        (f) => !(/\.ya?ml$/i.test(f.name) && stems.has(f.name.replace(/\.ya?ml$/i, ''))),
      );
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
      let announced: number | undefined;
      for (const f of files) {
        if (/schema/i.test(f.name)) continue;
        const r = parseKev(f.text, f.name);
        records.push(...r.records);
        errors.push(...r.errors);
        catalogVersion ??= r.catalogVersion;
        dateReleased ??= r.dateReleased;
        if (r.announced !== null) announced = (announced ?? 0) + r.announced;
      }
      return {
        batch: records.length > 0 ? { kind: 'kev', records, catalogVersion, dateReleased } : null,
        records: records.length,
        errors,
        ...(announced !== undefined ? { announced } : {}),
      };
    },
  },
  epss: {
    accept: (p) => /\.csv(\.gz)?$/i.test(p),
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
    // Records as JSON or JSON Lines; cvelistV5's delta log is an index, not records.
    accept: (p) =>
      /\.(json|jsonl|ndjson)$/i.test(p) && base(p) !== 'deltaLog.json' && base(p) !== 'delta.json',
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
    stream: { kind: 'cve', parseOne: (f) => parseCveRecords(f.text, f.name) },
  },
  endoflife: {
    accept: (p) => json(p) && !base(p).startsWith('_'),
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
