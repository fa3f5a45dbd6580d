/**
 * API tokens: the list (an admin sees everyone's, others their own), create
 * (POST /api/v1/tokens) showing the secret exactly once, and revoke (DELETE).
 */
import { api, ApiError } from "./api.js";
import { ResourceView } from "./admin_crud.js";
import { openDialog } from "./dialog.js";
import { announce, formatDateTime, h } from "./dom.js";
import { buildForm } from "./form.js";
import { t } from "./i18n.js";

/** The token definition for {@link ResourceView}. */
export function tokenDef(refs, session) {
  const admin = session.can("admin");
  const userName = (id) =>
    admin ? refs.list("users").find((u) => u.id === id)?.name ?? `#${id}` : session.user?.name;
  return {
    path: "tokens",
    title: "res.tokens",
    one: "res.token",
    search: false,
    cascade: false,
    refs: admin ? ["users"] : [],
    columns: [
      { key: "name", label: "field.name", sort: "name" },
      { key: "userId", label: "field.user", render: (r) => userName(r.userId) },
      {
        key: "createdAt",
        label: "field.createdAt",
        sort: "createdAt",
        render: (r) => formatDateTime(r.createdAt),
      },
      {
        key: "lastUsedAt",
        label: "field.lastUsedAt",
        sort: "lastUsedAt",
        render: (r) => (r.lastUsedAt ? formatDateTime(r.lastUsedAt) : t("tokens.never")),
      },
      {
        key: "expiresAt",
        label: "field.expiresAt",
        sort: "expiresAt",
        render: (r) => (r.expiresAt ? formatDateTime(r.expiresAt) : t("tokens.noExpiry")),
      },
    ],
    filters: admin
      ? [{
        name: "userId",
        label: "field.user",
        options: () => refs.list("users").map((u) => ({ value: u.id, label: u.name })),
      }]
      : [],
    fields: [
      { name: "name", label: "field.name", required: true, hint: "hint.tokenName" },
      ...(admin
        ? [{
          name: "userId",
          label: "field.user",
          type: "select",
          numeric: true,
          required: true,
          options: () =>
            refs.list("users").map((u) => ({
              value: u.id,
              label: `${u.name} (${t(`role.${u.role}`)})`,
            })),
        }]
        : []),
      {
        name: "expiresAt",
        label: "field.expiresAt",
        type: "datetime",
        nullable: true,
        hint: "hint.expiresAt",
      },
    ],
    describe: (r) => r.name,
  };
}

/** The tokens view: any logged-in user may manage their own tokens. */
export function tokenView(refs, session) {
  const def = tokenDef(refs, session);
  return new ResourceView({
    key: "tokens",
    def,
    refs,
    session,
    options: {
      canEdit: session.user !== null,
      editable: false,
      deleteText: "tokens.revoke",
      deleteLabel: "tokens.revokeWhat",
      deleteQuestion: "tokens.revokeQuestion",
      create: (view) => createToken(def, refs, session, view),
    },
  });
}

async function createToken(def, refs, session, view) {
  await refs.load(def.refs);
  const form = buildForm(def.fields, { userId: session.user?.id });
  let created = null;
  await openDialog({
    title: t("action.new", { what: t("res.token") }),
    testId: "form-tokens",
    body: [form.formError, form.element],
    actions: [{ label: t("tokens.create"), value: "save", primary: true }],
    onAction: async () => {
      const body = form.read();
      if (!session.can("admin")) body.userId = session.user.id;
      try {
        created = await api.post("tokens", body);
      } catch (e) {
        if (e instanceof ApiError) {
          form.showIssues(e.issues, e.message);
          return false;
        }
        throw e;
      }
      return true;
    },
  });
  if (!created) return;
  view.reload();
  const secret = h("input", {
    type: "text",
    readonly: true,
    class: "code-input secret",
    value: created.token,
    id: "token-secret",
    "data-testid": "token-secret",
    "aria-describedby": "token-secret-hint",
  });
  const copy = h("button", {
    type: "button",
    class: "btn",
    i18n: "tokens.copy",
    on: {
      click: async () => {
        secret.select();
        try {
          await navigator.clipboard.writeText(created.token);
          announce(t("tokens.copied"));
        } catch {
          announce(t("tokens.copyManually"));
        }
      },
    },
  });
  await openDialog({
    title: t("tokens.createdTitle", { name: created.name }),
    testId: "token-created-dialog",
    body: [
      h("p", { id: "token-secret-hint", class: "warn-box", i18n: "tokens.once" }),
      h("label", { for: "token-secret", class: "field-label", i18n: "tokens.secret" }),
      h("div", { class: "secret-row" }, secret, copy),
      h("p", { class: "muted" }, h("code", { text: `Authorization: Bearer ${created.token}` })),
    ],
    actions: [{ label: t("tokens.done"), value: "close", primary: true }],
    noCancel: true,
  });
}
