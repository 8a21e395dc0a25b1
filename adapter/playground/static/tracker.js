// The sandbox tracker page: move an issue to another state, as a product team would in Jira or Linear.
(function () {
  "use strict";
  document.querySelectorAll("[data-move]").forEach((button) => {
    button.addEventListener("click", async () => {
      const issue = button.closest(".pg-issue");
      const error = issue.querySelector("[data-error]");
      issue.querySelectorAll("[data-move]").forEach((b) => { b.disabled = true; });
      error.textContent = "";
      try {
        const response = await fetch("/playground/api/tracker/issues/" + encodeURIComponent(button.dataset.issue) + "/state", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ state: button.dataset.move }),
        });
        if (!response.ok) throw new Error(((await response.json()).message) || "Could not move the issue.");
        window.location.reload();
      } catch (e) {
        error.textContent = e.message;
        issue.querySelectorAll("[data-move]").forEach((b) => { b.disabled = b.dataset.move === issue.dataset.state; });
      }
    });
  });
})();
