// One kind of thing a configuration file declares (users, groups with their members, clients).
// Each section reads its part of the file into what it wants (checking it, errors at their path),
// plans the changes from what is there now, and writes the current state back as file entries.
// A new section is a new module listed in SECTIONS (apply-service.ts); nothing else changes.
import type { Services } from '../../services.js';
import type { PlannedChange } from './changes.js';
import type { SecretSources } from './secret-ref.js';

export type SectionServices = Pick<Services, 'clients' | 'accounts' | 'invitations' | 'groups'>;

/**
 * What plan may know of the rest of the file: another section's names (users' emails, groups'
 * names) when the file has that section, so that a reference is checked against what will exist
 * once applied (declared, or there now and not about to be pruned).
 */
export interface PlanOptions {
  prune: boolean;
  /** The names a section declares, by its key; absent: the file has no such section. */
  declared: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface Section<Desired> {
  /** The top-level key in the file. */
  key: string;
  /** Checks the section (no database): a ConfigFileError names the path of the first mistake. */
  parse(raw: unknown, sources: SecretSources): Desired;
  /** The changes that make the database match; with `prune`, deletes for what the file leaves out. */
  plan(desired: Desired, services: SectionServices, options: PlanOptions): Promise<PlannedChange[]>;
  /** The names this section declares (what other sections may refer to). */
  names?(desired: Desired): string[];
  /** The current state as the section's entries, ready to be applied again (no secrets). */
  export(services: SectionServices): Promise<ExportedSection>;
}

export interface ExportedSection {
  entries: Record<string, unknown>[];
  /** Per entry index: a comment for a key of that entry (placeholders the reader must fill). */
  comments?: Map<number, { key: string; comment: string }>;
}
