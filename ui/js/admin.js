/**
 * The admin page: one tab per section (lines, processes, PLCs, groups, tags,
 * alarm rules, CSV, runtime, API tokens, users, audit log), each built the
 * first time it is shown. Viewers and operators see the configuration read
 * only (operators also control the runtime); admins edit everything.
 */
import { Refs, resourceDefs } from "./admin_resources.js";
import { AuditView } from "./admin_audit.js";
import { ResourceView } from "./admin_crud.js";
import { CsvView } from "./admin_csv.js";
import { RuntimeView } from "./admin_runtime.js";
import { tokenView } from "./admin_tokens.js";
import { announce, byId, setupTabs } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { addShortcut, startSession } from "./session.js";

const RESOURCE_TABS = {
  lines: "lines",
  processes: "processes",
  plcs: "plcs",
  groups: "groups",
  tags: "tags",
  "alarm-rules": "alarmRules",
};

async function main() {
  const session = await startSession("admin");
  const refs = new Refs();
  let defs = resourceDefs(refs);
  let views = new Map();
  let current = null;

  const create = (name) => {
    if (name in RESOURCE_TABS) {
      const key = RESOURCE_TABS[name];
      return new ResourceView({ key, def: defs[key], refs, session });
    }
    switch (name) {
      case "csv":
        return new CsvView({ session });
      case "runtime":
        return new RuntimeView({ session });
      case "tokens":
        return tokenView(refs, session);
      case "users":
        return new ResourceView({ key: "users", def: defs.users, refs, session });
      case "audit":
        return new AuditView();
    }
    return null;
  };

  const show = async (name) => {
    for (const [other, view] of views) if (other !== name) view.setVisible?.(false);
    current = name;
    // Say why there is nothing to edit, on the configuration sections only.
    byId("admin-readonly").hidden = session.can("admin") || !(name in RESOURCE_TABS);
    let view = views.get(name);
    if (!view) {
      view = create(name);
      if (!view) return;
      views.set(name, view);
      try {
        await view.mount(byId(`panel-${name}`));
      } catch (e) {
        announce(e.message, "error");
      }
    }
    view.setVisible?.(true);
  };

  const tabs = setupTabs(byId("admin-tabs"), (name) => show(name));
  tabs.showInitial("lines");

  const order = ["lines", "processes", "plcs", "groups", "tags", "alarm-rules", "csv", "runtime"];
  order.forEach((name, i) =>
    addShortcut(String(i + 1), `admin.tab${tabKey(name)}`, () => tabs.show(name, true))
  );

  onLangChange(() => {
    // Labels inside the views come from the definitions: rebuild them in the new language.
    for (const view of views.values()) view.setVisible?.(false);
    defs = resourceDefs(refs);
    views = new Map();
    if (current) show(current);
  });
  document.body.dataset.ready = "true";
}

function tabKey(name) {
  return {
    lines: "Lines",
    processes: "Processes",
    plcs: "Plcs",
    groups: "Groups",
    tags: "Tags",
    "alarm-rules": "AlarmRules",
    csv: "Csv",
    runtime: "Runtime",
  }[name];
}

main().catch((e) => {
  console.error(e);
  announce(t("error.pageFailed", { message: e instanceof Error ? e.message : String(e) }), "error");
});
