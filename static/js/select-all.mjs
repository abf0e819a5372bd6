/*
 * "Select all" for a table of checkboxes (data-module="app-select-all"): a progressive
 * enhancement. Without JavaScript each case is ticked on its own; with it, a checkbox in the
 * header cell ticks or clears every row, and shows "mixed" when only some are ticked.
 */
function enhance(table) {
  const cell = table.querySelector(".app-select-all-cell");
  const boxes = [...table.querySelectorAll("tbody input[type=checkbox]")];
  if (!cell || boxes.length === 0) return;
  const id = `${table.id || "cases"}-select-all`;
  cell.innerHTML = `
    <div class="govuk-checkboxes govuk-checkboxes--small">
      <div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" id="${id}" type="checkbox">
        <label class="govuk-label govuk-checkboxes__label" for="${id}">
          <span class="govuk-visually-hidden">Select all cases</span>
        </label>
      </div>
    </div>`;
  const all = cell.querySelector("input");
  const sync = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  all.addEventListener("change", () => {
    boxes.forEach((box) => {
      box.checked = all.checked;
    });
    sync();
  });
  boxes.forEach((box) => box.addEventListener("change", sync));
  sync();
}

document.querySelectorAll('[data-module="app-select-all"]').forEach(enhance);
