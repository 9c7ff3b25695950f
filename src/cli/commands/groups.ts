// sesame groups ...: groups of people and their members, through the same group service as the
// admin API and the console. A client's access rule names groups: `clients update ID --allowed-group NAME`.
import { ValidationError } from '../../domain/errors.js';
import { checkDescription, checkGroupName } from '../../domain/groups/group-name.js';
import { optionalString, UsageError, type Command, type ParsedArgs } from '../command.js';
import { fields, table, when } from '../output.js';

/** The NAME argument, checked before any database is opened (exit 2 with the rule). */
function groupName(args: ParsedArgs, index = 0): string {
  try {
    return checkGroupName(args.positionals[index]!);
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(`${args.command}: ${error.message}`);
    throw error;
  }
}

const create: Command = {
  name: 'groups create',
  synopsis: 'groups create NAME [--description D]',
  summary: 'create a group (NAME: 1-64 letters, digits, - _ . :)',
  help: [['--description D', 'what the group is for (optional, at most 500 characters)']],
  options: { description: { type: 'string' } },
  positionals: ['NAME'],
  prepare(args) {
    const name = groupName(args);
    const description = optionalString(args, 'description');
    try {
      checkDescription(description);
    } catch (error) {
      if (error instanceof ValidationError) throw new UsageError(`${args.command}: ${error.message}`);
      throw error;
    }
    return async (ctx) => {
      const group = await (await ctx.container()).groups.create({ name, description }, ctx.by);
      return { json: group, human: [`created group ${group.name}`] };
    };
  },
};

const list: Command = {
  name: 'groups list',
  synopsis: 'groups list',
  summary: 'list groups with their member counts',
  help: [],
  options: {},
  positionals: [],
  prepare: () => async (ctx) => {
    const groups = await (await ctx.container()).groups.list();
    return {
      json: groups,
      human: groups.length
        ? table(
            ['name', 'members', 'description'],
            groups.map((g) => [g.name, String(g.member_count ?? 0), g.description ?? '-']),
          )
        : ['no groups'],
    };
  },
};

const show: Command = {
  name: 'groups members',
  synopsis: 'groups members NAME',
  summary: "list a group's members (and the clients whose access rule names it)",
  help: [],
  options: {},
  positionals: ['NAME'],
  prepare(args) {
    const name = groupName(args);
    return async (ctx) => {
      const group = await (await ctx.container()).groups.get(name);
      return {
        json: group,
        human: [
          ...fields([
            ['group', group.name],
            ['description', group.description],
            ['allowed in', group.clients.map((c) => `${c.client_name} (${c.client_id})`)],
          ]),
          '',
          ...(group.members.length
            ? table(
                ['email', 'name', 'added'],
                group.members.map((m) => [m.email, m.name ?? '-', when(m.added_at)]),
              )
            : [`${group.name} has no members`]),
        ],
      };
    };
  },
};

const rename: Command = {
  name: 'groups rename',
  synopsis: 'groups rename NAME NEW',
  summary: "rename a group (clients' access rules follow the new name)",
  help: [],
  options: {},
  positionals: ['NAME', 'NEW'],
  prepare(args) {
    const name = groupName(args, 0);
    const newName = groupName(args, 1);
    return async (ctx) => {
      const group = await (await ctx.container()).groups.rename(name, newName, ctx.by);
      return { json: group, human: [`renamed group ${name} to ${group.name}`] };
    };
  },
};

const remove: Command = {
  name: 'groups delete',
  synopsis: 'groups delete NAME',
  summary: "delete a group and its memberships (refused while a client's access rule names it)",
  help: [],
  options: {},
  positionals: ['NAME'],
  prepare(args) {
    const name = groupName(args);
    return async (ctx) => {
      await (await ctx.container()).groups.delete(name, ctx.by);
      return { json: { name, deleted: true }, human: [`deleted group ${name}`] };
    };
  },
};

const addMember: Command = {
  name: 'groups add-member',
  synopsis: 'groups add-member NAME EMAIL',
  summary: 'add a person to a group',
  help: [],
  options: {},
  positionals: ['NAME', 'EMAIL'],
  prepare(args) {
    const name = groupName(args);
    const email = args.positionals[1]!;
    return async (ctx) => {
      const { added, member } = await (await ctx.container()).groups.addMember(name, email, ctx.by);
      return {
        json: { group: name, email: member.email, sub: member.sub, added },
        human: [added ? `added ${member.email} to ${name}` : `${member.email} is a member of ${name} already`],
      };
    };
  },
};

const removeMember: Command = {
  name: 'groups remove-member',
  synopsis: 'groups remove-member NAME EMAIL',
  summary: 'take a person out of a group (their next refresh for apps that need it fails)',
  help: [],
  options: {},
  positionals: ['NAME', 'EMAIL'],
  prepare(args) {
    const name = groupName(args);
    const email = args.positionals[1]!;
    return async (ctx) => {
      const removed = await (await ctx.container()).groups.removeMember(name, email, ctx.by);
      return {
        json: { group: name, email, removed },
        human: [removed ? `removed ${email} from ${name}` : `${email} was not a member of ${name}`],
      };
    };
  },
};

export const groupCommands: Command[] = [create, list, show, rename, remove, addMember, removeMember];
