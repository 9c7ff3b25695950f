// Declarative configuration (`sesame apply`, `sesame export`, SESAME_CONFIG at start-up): a YAML
// file says which clients and people exist; apply plans the changes that make the database say
// the same and carries them out through the domain services, so each is checked, audited and
// propagated to every instance as if an administrator had made it by hand. Sections are applied
// in SECTIONS order and deletes in the reverse order (later sections may refer to earlier ones):
// people first, then groups and their members (people), then clients (their allowed_groups).
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { SYSTEM, type By } from '../audit/actions.js';
import { describeChanges, type Change, type PlannedChange } from './changes.js';
import { clientsSection } from './clients-section.js';
import { ConfigFileError, mapAt } from './file-errors.js';
import type { SecretSources } from './secret-ref.js';
import type { Section, SectionServices } from './section.js';
import { groupsSection } from './groups-section.js';
import { usersSection } from './users-section.js';

export { ConfigFileError } from './file-errors.js';
export { describeChanges, type Change } from './changes.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each section's own desired type
const SECTIONS: Section<any>[] = [usersSection, groupsSection, clientsSection];

/** A checked configuration file: each section present, as its module read it (absent: not managed). */
export interface Declared {
  sections: { section: Section<unknown>; desired: unknown }[];
}

/** Reads and checks a configuration file's text (no database); a ConfigFileError names the path. */
export function parseConfiguration(text: string, sources: SecretSources): Declared {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    throw new ConfigFileError(at ? `line ${at.line}, column ${at.col}` : '', `not valid YAML: ${problem.message.split('\n')[0]}`);
  }
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return { sections: [] };
  const top = mapAt(root, '');
  for (const key of Object.keys(top)) {
    if (!SECTIONS.some((s) => s.key === key)) {
      throw new ConfigFileError(key, `unknown section; a file declares ${SECTIONS.map((s) => s.key).join(', ')}`);
    }
  }
  return {
    sections: SECTIONS.filter((s) => s.key in top).map((section) => ({ section, desired: section.parse(top[section.key], sources) })),
  };
}

export interface ApplyResult {
  changes: Change[];
  /** False for a dry run. */
  applied: boolean;
  /** What must be shown once, by change index (a secret generated for a client the file gives none). */
  shown: { index: number; client_secret?: string }[];
}

export interface ApplyOptions {
  dryRun?: boolean;
  prune?: boolean;
  by?: By;
}

export function createConfigurationService(services: SectionServices) {
  async function plan(declared: Declared, prune: boolean): Promise<PlannedChange[]> {
    const names = new Map(declared.sections.map(({ section, desired }) => [section.key, new Set(section.names?.(desired) ?? [])]));
    const planned: PlannedChange[] = [];
    for (const { section, desired } of declared.sections) planned.push(...(await section.plan(desired, services, { prune, declared: names })));
    const order = (p: PlannedChange) => {
      const rank = SECTIONS.findIndex((s) => s.key === `${p.change.kind}s`);
      return p.change.action === 'delete' ? 2 * SECTIONS.length - rank : rank;
    };
    return planned
      .map((p, i) => ({ p, i }))
      .sort((a, b) => order(a.p) - order(b.p) || a.i - b.i)
      .map(({ p }) => p);
  }

  return {
    /** Plans the changes and, unless a dry run, makes them one by one (a failure stops there; applying again goes on). */
    async apply(declared: Declared, options: ApplyOptions = {}): Promise<ApplyResult> {
      const planned = await plan(declared, options.prune ?? false);
      const changes = planned.map((p) => p.change);
      if (options.dryRun) return { changes, applied: false, shown: [] };
      const shown: ApplyResult['shown'] = [];
      for (const [index, p] of planned.entries()) {
        const extra = await p.run(options.by ?? SYSTEM);
        if (extra) shown.push({ index, ...extra });
      }
      return { changes, applied: true, shown };
    },

    /** The current configuration as a file apply takes (no secrets: placeholders named in comments). */
    async export(): Promise<string> {
      const body: Record<string, unknown> = {};
      const comments: { key: string; comments: Map<number, { key: string; comment: string }> }[] = [];
      for (const section of SECTIONS) {
        const exported = await section.export(services);
        body[section.key] = exported.entries;
        if (exported.comments) comments.push({ key: section.key, comments: exported.comments });
      }
      const doc = new Document(body);
      doc.commentBefore = [
        ' Sesame configuration, written by `sesame export`; apply it with `sesame apply -f FILE`.',
        ' Secrets are never exported: each confidential client references its secret from an environment',
        ' variable (CLIENT_<ID>_SECRET). Set it to the secret the app uses before applying, or remove the',
        ' secret line to have a new one generated when the client is created.',
      ].join('\n');
      for (const { key, comments: perEntry } of comments) {
        const list = doc.get(key, true);
        if (!isSeq(list)) continue;
        for (const [index, { key: field, comment }] of perEntry) {
          const item = list.items[index];
          if (!isMap(item)) continue;
          // `secret: { env: CLIENT_APP_SECRET } # placeholder: ...` on one line.
          const node = (item as YAMLMap).get(field, true);
          if (isMap(node)) node.flow = true;
          if (node && typeof node === 'object') (node as { comment?: string }).comment = comment;
        }
      }
      return doc.toString({ lineWidth: 0 });
    },
  };
}

export type ConfigurationService = ReturnType<typeof createConfigurationService>;

/** The human lines of a result: the diff, then one summary line. */
export function describeResult(result: ApplyResult): string[] {
  if (result.changes.length === 0) return ['no changes: the database already matches the file'];
  const lines = describeChanges(result.changes);
  for (const { index, client_secret } of result.shown) {
    if (client_secret) {
      lines.push(
        `client_secret of ${result.changes[index]!.id}: ${client_secret}`,
        '  (generated: the file gives it none; shown only this once, stored encrypted: copy it now)',
      );
    }
  }
  const count = `${result.changes.length} change${result.changes.length === 1 ? '' : 's'}`;
  lines.push(result.applied ? `applied ${count}` : `dry run: ${count} planned, nothing changed`);
  return lines;
}
