// Console groups pages: the list with member counts and the create form (/admin/groups), and one
// group (/admin/groups/:name): rename and describe it, its members (add by email, remove), the
// clients whose allowed groups name it, and deleting it. The user page lists a person's groups
// (groupsSection, below).
import type { GroupView, MemberView } from '../../src/domain/groups/group-service.js';
import { html, type SafeHtml } from '../html.js';
import { consoleLayout, csrfField, date, describedBy, fieldError, type ConsoleFrame } from './layout.js';

export const groupPath = (name: string): string => `/admin/groups/${encodeURIComponent(name)}`;

export interface GroupFormValues {
  name: string;
  description: string;
}

const NAME_HINT = '1 to 64 characters: letters, digits, and - _ . :';

function groupFields(values: GroupFormValues, errors: Record<string, string>): SafeHtml {
  return html`<div class="field">
<label for="name">Name</label>
<input id="name" name="name" type="text" required maxlength="64" spellcheck="false" autocapitalize="none" value="${values.name}"${describedBy(errors, 'name')}>
<p class="hint">${NAME_HINT}</p>
${fieldError(errors, 'name')}
</div>
<div class="field">
<label for="description">Description</label>
<input id="description" name="description" type="text" maxlength="500" value="${values.description}"${describedBy(errors, 'description')}>
<p class="hint">Optional: what the group is for.</p>
${fieldError(errors, 'description')}
</div>`;
}

export function groupsPage(frame: ConsoleFrame, groups: GroupView[], values: GroupFormValues, errors: Record<string, string>): SafeHtml {
  return consoleLayout(frame, {
    title: 'Groups',
    section: 'groups',
    body: html`<h1>Groups</h1>
<p class="muted">A client's allowed groups let only their members sign in to it (clients without any let everyone in).</p>
${
  groups.length === 0
    ? html`<p class="muted">No groups yet.</p>`
    : html`<div class="table-wrap"><table class="stack" id="groups">
<thead><tr><th scope="col">Name</th><th scope="col">Members</th><th scope="col">Description</th><th scope="col">Created</th></tr></thead>
<tbody>
${groups.map(
  (g) => html`<tr>
<td data-label="Name"><a href="${groupPath(g.name)}">${g.name}</a></td>
<td data-label="Members">${String(g.member_count ?? 0)}</td>
<td data-label="Description">${g.description ?? ''}</td>
<td data-label="Created">${date(g.created_at)}</td>
</tr>`,
)}
</tbody></table></div>`
}
<h2>New group</h2>
${errors.form && html`<p class="alert" role="alert">${errors.form}</p>`}
<form method="post" action="/admin/groups">
${csrfField(frame.csrf)}
${groupFields(values, errors)}
<button type="submit" class="primary">Create group</button>
</form>`,
  });
}

export interface GroupPageView {
  group: GroupView & { members: MemberView[]; clients: { client_id: string; client_name: string }[] };
  values: GroupFormValues;
  errors: Record<string, string>;
  memberEmail: string;
  memberErrors: Record<string, string>;
}

export function groupPage(frame: ConsoleFrame, { group, values, errors, memberEmail, memberErrors }: GroupPageView): SafeHtml {
  const path = groupPath(group.name);
  return consoleLayout(frame, {
    title: `Group ${group.name}`,
    section: 'groups',
    body: html`<p><a href="/admin/groups">← Groups</a></p>
<h1>${group.name}</h1>
<dl class="details">
<dt>Description</dt><dd>${group.description ?? html`<span class="muted">—</span>`}</dd>
<dt>Created</dt><dd>${date(group.created_at)}</dd>
<dt>Allowed in</dt><dd id="group-clients">${
      group.clients.length === 0
        ? html`<span class="muted">no client's allowed groups</span>`
        : group.clients.map((c, i) => html`${i > 0 ? ', ' : ''}<a href="/admin/clients/${encodeURIComponent(c.client_id)}">${c.client_name}</a>`)
    }</dd>
</dl>
<h2 id="members">Members</h2>
${
  group.members.length === 0
    ? html`<p class="muted">No members.</p>`
    : html`<div class="table-wrap"><table class="stack" id="group-members">
<thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Added</th><th scope="col"><span class="muted">Actions</span></th></tr></thead>
<tbody>
${group.members.map(
  (m) => html`<tr>
<td data-label="Email"><a href="/admin/users/${encodeURIComponent(m.sub)}">${m.email}</a></td>
<td data-label="Name">${m.name ?? ''}</td>
<td data-label="Added">${date(m.added_at)}</td>
<td data-label="Actions"><form method="post" action="${path}/members/${encodeURIComponent(m.sub)}/remove">
${csrfField(frame.csrf)}
<button type="submit" class="link" aria-label="Remove ${m.email}">Remove</button>
</form></td>
</tr>`,
)}
</tbody></table></div>`
}
<form method="post" action="${path}/members" class="toolbar">
${csrfField(frame.csrf)}
<div class="field"><label for="email">Add a member by email</label>
<input id="email" name="email" type="email" required value="${memberEmail}"${describedBy(memberErrors, 'email')}>
${fieldError(memberErrors, 'email')}</div>
<button type="submit" class="secondary inline">Add</button>
</form>
<h2>Edit</h2>
${errors.form && html`<p class="alert" role="alert">${errors.form}</p>`}
<form method="post" action="${path}">
${csrfField(frame.csrf)}
${groupFields(values, errors)}
<p class="hint">A new name is written into the allowed groups of the clients that name this group.</p>
<button type="submit" class="primary">Save changes</button>
</form>
<h2>Delete</h2>
${
  group.clients.length > 0
    ? html`<p class="muted">Take this group out of the allowed groups of ${group.clients.map((c) => c.client_name).join(', ')} first.</p>`
    : html`<form method="post" action="${path}/delete">
${csrfField(frame.csrf)}
<button type="submit" class="danger">Delete group ${group.name}</button>
</form>`
}`,
  });
}

/** The user page's section: the person's groups (remove), and adding them to another. */
export function groupsSection(frame: ConsoleFrame, userId: string, groups: GroupView[], all: GroupView[]): SafeHtml {
  const path = `/admin/users/${encodeURIComponent(userId)}/groups`;
  const others = all.filter((g) => !groups.some((own) => own.id === g.id));
  return html`<h2 id="groups">Groups</h2>
${
  groups.length === 0
    ? html`<p class="muted">In no group.</p>`
    : html`<ul id="user-groups">${groups.map(
        (g) => html`<li><a href="${groupPath(g.name)}">${g.name}</a>
<form method="post" action="${path}/${encodeURIComponent(g.name)}/remove" class="inline">
${csrfField(frame.csrf)}
<button type="submit" class="link" aria-label="Remove from ${g.name}">Remove</button>
</form></li>`,
      )}</ul>`
}
${
  others.length > 0 &&
  html`<form method="post" action="${path}" class="toolbar">
${csrfField(frame.csrf)}
<div class="field"><label for="group">Add to group</label>
<select id="group" name="group">${others.map((g) => html`<option value="${g.name}">${g.name}</option>`)}</select></div>
<button type="submit" class="secondary inline">Add</button>
</form>`
}`;
}
