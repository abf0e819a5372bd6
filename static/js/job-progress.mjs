/*
 * The progress page of a background job (templates/jobs/progress.html), kept up to date in place:
 * every two seconds the job's figures are fetched as JSON and written into the page's status
 * region, which screen readers announce politely; when the job has finished, the browser goes
 * to its page, which shows how it ended. Without scripts the page refreshes itself instead
 * (a meta refresh inside <noscript>).
 */
const INTERVAL = 2000;

function update($module, job) {
  const $text = $module.querySelector("[data-job-text]");
  const $bar = $module.querySelector("progress");
  const $percent = $module.querySelector("[data-job-percent]");
  if ($text && $text.textContent !== job.text) {
    $text.textContent = job.text;
  }
  if ($bar && job.percent !== null) {
    $bar.value = job.percent;
    $bar.setAttribute("aria-label", `${job.percent}% done`);
    $bar.hidden = false;
  }
  if ($percent && job.percent !== null) {
    $percent.textContent = `${job.percent}% done`;
  }
  const $status = document.querySelector("[data-job-status]");
  if ($status && $status.textContent !== job.status_label) {
    $status.textContent = job.status_label;
  }
}

function follow($module) {
  const url = $module.dataset.statusUrl;
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.status === 403 || response.status === 404) {
        window.location.reload(); // signed out, or no longer theirs: the page says why
        return;
      }
      if (!response.ok) {
        window.setTimeout(poll, INTERVAL); // busy for a moment: try again at the next tick
        return;
      }
      const job = await response.json();
      if (job.finished) {
        window.location.assign(job.url);
        return;
      }
      update($module, job);
    } catch {
      // the network dropped for a moment: try again at the next tick
    }
    window.setTimeout(poll, INTERVAL);
  };
  window.setTimeout(poll, INTERVAL);
}

document.querySelectorAll('[data-module="app-job-progress"]').forEach(follow);
