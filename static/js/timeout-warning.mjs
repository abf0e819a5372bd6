/*
 * The GOV.UK timeout warning (templates/includes/timeout_warning.html): a modal dialog opens a
 * few minutes before the session ends. "Stay signed in" (or Escape) asks the server to keep the
 * session and closes the dialog; if the time runs out the dialog says so. Nothing typed is lost
 * either way: a save after the session ended is kept on the server until its user signs in.
 */
const dialog = document.getElementById("timeout-warning");

function inWords(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

function timeoutWarning(dialog) {
  const total = Number(dialog.dataset.sessionSeconds);
  const warnBefore = Math.min(Number(dialog.dataset.warnSeconds), Math.floor(total / 2));
  const form = dialog.querySelector("[data-timeout-form]");
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const announce = dialog.querySelector("[data-timeout-announce]");
  const warning = dialog.querySelector(".app-timeout-dialog__warning");
  const ended = dialog.querySelector(".app-timeout-dialog__ended");
  let deadline = 0;
  let warnTimer = null;
  let ticker = null;
  let announced = "";

  function schedule() {
    deadline = Date.now() + total * 1000;
    clearTimeout(warnTimer);
    clearInterval(ticker);
    warnTimer = setTimeout(open, Math.max(0, total - warnBefore) * 1000);
  }

  function remaining() {
    return Math.max(0, Math.round((deadline - Date.now()) / 1000));
  }

  function update() {
    const left = remaining();
    countdown.textContent = inWords(left);
    // Screen readers hear the time left each minute, then at 20 seconds, not every second.
    const spoken = left >= 60 ? inWords(left) : left <= 20 ? inWords(20) : "";
    if (spoken && spoken !== announced) {
      announced = spoken;
      announce.textContent = `We will sign you out in ${spoken}.`;
    }
    if (left === 0) {
      signedOut();
    }
  }

  function open() {
    warning.hidden = false;
    ended.hidden = true;
    dialog.setAttribute("aria-labelledby", "timeout-warning-title");
    dialog.setAttribute("aria-describedby", "timeout-warning-text");
    announced = "";
    update();
    if (!dialog.open) {
      dialog.showModal();
    }
    ticker = setInterval(update, 1000);
  }

  function signedOut() {
    clearInterval(ticker);
    warning.hidden = true;
    ended.hidden = false;
    dialog.setAttribute("aria-labelledby", "timeout-ended-title");
    dialog.setAttribute("aria-describedby", "timeout-ended-text");
    if (!dialog.open) {
      dialog.showModal();
    }
    ended.querySelector("[data-timeout-close]").focus();
  }

  async function staySignedIn(event) {
    if (event) {
      event.preventDefault();
    }
    if (!ended.hidden) {
      dialog.close();
      return;
    }
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok || response.redirected) {
        signedOut();
        return;
      }
    } catch (error) {
      signedOut();
      return;
    }
    dialog.close();
    schedule();
  }

  form.addEventListener("submit", staySignedIn);
  dialog.addEventListener("cancel", staySignedIn); // Escape keeps the user signed in
  ended.querySelector("[data-timeout-close]").addEventListener("click", () => dialog.close());
  schedule();
}

if (dialog && typeof dialog.showModal === "function" && Number(dialog.dataset.sessionSeconds) > 0) {
  timeoutWarning(dialog);
}
