// /groups: groups of people and their members, and /users/{user_id}/groups. The rules are the
// group service's (src/domain/groups/); a client's access rule is its allowed_groups (/clients).
import { z } from 'zod';
import { GROUP_NAME_RULE } from '../../domain/groups/group-name.js';
import { isPlainText, NOT_PLAIN_TEXT } from '../../domain/text.js';
import { route, type Route } from './route.js';
import { registry, UserParams } from './schemas.js';

function component<T extends z.ZodType>(id: string, description: string, schema: T): T {
  registry.add(schema, { id, description });
  return schema;
}

const text = () => z.string().refine(isPlainText, NOT_PLAIN_TEXT);
const timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339 date-time (UTC)' });
const name = text().min(1).max(200).describe(GROUP_NAME_RULE);
const description = text().max(500).describe('what the group is for');

export const Group = component(
  'Group',
  'A group of people; clients name groups in allowed_groups.',
  z.object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    member_count: z.number().int().min(0).optional(),
    created_at: timestamp,
  }),
);

const Member = component(
  'GroupMember',
  'A member of a group.',
  z.object({ sub: z.string().describe("the person's user id"), email: z.string(), name: z.string().nullable(), added_at: timestamp }),
);

const GroupDetail = component(
  'GroupDetail',
  'A group with its members, and the clients whose allowed_groups name it.',
  Group.extend({ members: z.array(Member), clients: z.array(z.object({ client_id: z.string(), client_name: z.string() })) }),
);

const GroupList = component('GroupList', 'Every group, by name, with its member count.', z.object({ items: z.array(Group) }));

const GroupInput = component('GroupInput', 'A group to create.', z.strictObject({ name, description: description.optional() }));

const GroupPatch = component(
  'GroupPatch',
  "Changes to a group: a new name (clients' allowed_groups follow it) and/or description (null removes it).",
  z.strictObject({ name: name.optional(), description: description.nullable().optional() }),
);

const MemberInput = component('GroupMemberInput', 'The person to add, by email.', z.strictObject({ email: text().min(1).max(320) }));

const MemberAdded = component(
  'GroupMemberAdded',
  'The member; `added` is false when they were one already.',
  z.object({ group: z.string(), sub: z.string(), email: z.string(), added: z.boolean() }),
);

const GroupParams = z.strictObject({ group_name: name });
const MemberParams = GroupParams.extend({ user_id: text().min(1).max(200) });

export const groupRoutes: Route[] = [
  route({
    method: 'get',
    path: '/groups',
    operationId: 'listGroups',
    summary: 'List groups',
    tag: 'groups',
    success: { status: 200, description: 'Every group, by name, with its member count.', schema: GroupList },
    problems: [],
    async handle({ services }) {
      return { items: await services.groups.list() };
    },
  }),

  route({
    method: 'post',
    path: '/groups',
    operationId: 'createGroup',
    summary: 'Create a group',
    tag: 'groups',
    body: GroupInput,
    success: { status: 201, description: 'Created; Location names the new group.', schema: Group },
    problems: [409, 422],
    async handle({ body, services, ctx, by }) {
      const group = await services.groups.create(body, by);
      ctx.set('Location', `${ctx.path.replace(/\/$/, '')}/${encodeURIComponent(group.name)}`);
      return group;
    },
  }),

  route({
    method: 'get',
    path: '/groups/{group_name}',
    operationId: 'getGroup',
    summary: 'Get a group with its members',
    tag: 'groups',
    params: GroupParams,
    success: { status: 200, description: 'The group, its members and the clients that name it.', schema: GroupDetail },
    problems: [404],
    async handle({ params, services }) {
      return services.groups.get(params.group_name);
    },
  }),

  route({
    method: 'patch',
    path: '/groups/{group_name}',
    operationId: 'updateGroup',
    summary: 'Rename a group or change its description',
    description: "A new name is also written into every client's allowed_groups and groups_claim include list that named the old one.",
    tag: 'groups',
    params: GroupParams,
    body: GroupPatch,
    success: { status: 200, description: 'The group as it is now.', schema: Group },
    problems: [404, 409, 422],
    async handle({ params, body, services, by }) {
      return services.groups.update(params.group_name, body, by);
    },
  }),

  route({
    method: 'delete',
    path: '/groups/{group_name}',
    operationId: 'deleteGroup',
    summary: 'Delete a group and its memberships',
    description: "Refused (409, naming them) while a client's allowed_groups or groups_claim include list names the group.",
    tag: 'groups',
    params: GroupParams,
    success: { status: 204, description: 'Deleted.', schema: undefined },
    problems: [404, 409],
    async handle({ params, services, by }) {
      await services.groups.delete(params.group_name, by);
    },
  }),

  route({
    method: 'post',
    path: '/groups/{group_name}/members',
    operationId: 'addGroupMember',
    summary: 'Add a person to a group',
    tag: 'groups',
    params: GroupParams,
    body: MemberInput,
    success: { status: 200, description: 'The member.', schema: MemberAdded },
    problems: [404, 422],
    async handle({ params, body, services, by }) {
      const { added, member } = await services.groups.addMember(params.group_name, body.email, by);
      return { group: params.group_name, sub: member.sub, email: member.email, added };
    },
  }),

  route({
    method: 'delete',
    path: '/groups/{group_name}/members/{user_id}',
    operationId: 'removeGroupMember',
    summary: 'Take a person out of a group',
    description: 'Their next refresh for a client that allows only groups they are no longer in fails.',
    tag: 'groups',
    params: MemberParams,
    success: { status: 204, description: 'Removed (or was no member).', schema: undefined },
    problems: [404],
    async handle({ params, services, by }) {
      await services.groups.removeMemberById(params.group_name, params.user_id, by);
    },
  }),

  route({
    method: 'get',
    path: '/users/{user_id}/groups',
    operationId: 'listUserGroups',
    summary: "List a user's groups",
    tag: 'groups',
    params: UserParams,
    success: { status: 200, description: "The user's groups, by name.", schema: GroupList },
    problems: [404],
    async handle({ params, services }) {
      await services.accounts.get(params.user_id);
      return { items: await services.groups.groupsOf(params.user_id) };
    },
  }),
];
