/**
 * Modal dialogs on the native `<dialog>` element: `showModal()` makes the
 * rest of the page inert (the focus stays inside), Escape cancels, and the
 * focus returns to where it was. Actions may be async and may keep the
 * dialog open (a server refusal shown inside it).
 */
import { h } from "./dom.js";
import { t } from "./i18n.js";

let counter = 0;

/**
 * Opens a dialog and resolves with the chosen action's value, or null when
 * cancelled (Escape, the Cancel button). Options:
 * - `title`, `body` (node or nodes), `testId` (data-testid of the dialog);
 * - `actions`: `[{ label, value, primary, danger }]`; the primary one submits
 *   (Enter in a field), the others are plain buttons; a Cancel button is
 *   added unless an action has `value: "cancel"` or `noCancel` is set;
 * - `onAction(value, ctx)`: runs before closing; return `false` to keep the
 *   dialog open. `ctx.setError(text)` shows a message in the dialog;
 *   `ctx.form` is the dialog's form.
 */
export function openDialog(options) {
  const { title, body, actions = [], testId, onAction, wide = false, noCancel = false } = options;
  const id = `dialog-${++counter}`;
  const error = h("p", { class: "dialog-error", role: "alert", hidden: true, id: `${id}-error` });
  const buttons = actions.map((a) =>
    h("button", {
      type: a.primary ? "submit" : "button",
      class: ["btn", a.primary && "btn-primary", a.danger && "btn-danger"],
      value: a.value,
      dataset: { testid: `dialog-${a.value}` },
      text: a.label,
    })
  );
  const hasCancel = noCancel || actions.some((a) => a.value === "cancel");
  const cancel = hasCancel ? null : h("button", {
    type: "button",
    class: "btn",
    value: "cancel",
    "data-testid": "dialog-cancel",
    text: t("action.cancel"),
  });
  const form = h(
    "form",
    { class: "dialog-form", novalidate: true },
    h("h2", { id: `${id}-title`, class: "dialog-title", text: title }),
    h("div", { class: "dialog-body" }, body),
    error,
    h("div", { class: "dialog-actions" }, cancel, buttons),
  );
  const dialog = h("dialog", {
    class: ["dialog", wide && "dialog-wide"],
    "aria-labelledby": `${id}-title`,
    "data-testid": testId,
  }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let busy = false;
    let settled = false;
    const finish = (value) => {
      if (settled) return;
      settled = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    const setError = (text) => {
      error.textContent = text ?? "";
      error.hidden = !text;
    };
    const run = async (value) => {
      if (busy) return;
      if (value === "cancel") return finish(null);
      if (onAction) {
        busy = true;
        dialog.setAttribute("aria-busy", "true");
        for (const b of dialog.querySelectorAll("button")) b.disabled = true;
        let keep = false;
        try {
          keep = (await onAction(value, { form, setError, dialog })) === false;
        } catch (e) {
          setError(e instanceof Error ? e.message : String(e));
          keep = true;
        } finally {
          busy = false;
          dialog.removeAttribute("aria-busy");
          for (const b of dialog.querySelectorAll("button")) b.disabled = false;
        }
        if (keep) return;
      }
      finish(value);
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const primary = actions.find((a) => a.primary);
      run(e.submitter?.value || primary?.value || "ok");
    });
    form.addEventListener("click", (e) => {
      const b = e.target instanceof Element ? e.target.closest("button[type=button]") : null;
      if (b && b.value) run(b.value);
    });
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      if (!busy) finish(null);
    });
    dialog.showModal();
    const first = dialog.querySelector(
      "[autofocus], .dialog-body input:not([type=hidden]), .dialog-body select, .dialog-body textarea",
    ) ?? dialog.querySelector(".dialog-actions .btn-primary") ?? cancel;
    first?.focus();
  });
}

/** Asks a yes/no question; resolves true on confirm. */
export async function confirmDialog({ title, message, confirmLabel, danger = false, testId }) {
  const answer = await openDialog({
    title,
    testId: testId ?? "confirm-dialog",
    body: h("p", { text: message }),
    actions: [{ label: confirmLabel ?? t("action.ok"), value: "ok", primary: true, danger }],
  });
  return answer === "ok";
}
