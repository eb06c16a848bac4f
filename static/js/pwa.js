/* Installing the network as an app, and web push on this device: enhancements only.
 * Without JavaScript (or a browser without these APIs) every page works as before. */
"use strict";

(function () {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});

  let deferredPrompt = null;
  window.addEventListener("beforeinstallprompt", (event) => {
    // Chromium offers installation: show our own button instead of its mini bar.
    event.preventDefault();
    deferredPrompt = event;
    document.querySelectorAll("[data-install-app]").forEach((button) => {
      button.hidden = false;
    });
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-install-app]");
    if (!button || !deferredPrompt) return;
    deferredPrompt.prompt();
    deferredPrompt.userChoice.finally(() => {
      deferredPrompt = null;
      button.hidden = true;
    });
  });

  function keyBytes(base64url) {
    const base64 = (base64url + "=".repeat((4 - (base64url.length % 4)) % 4))
      .replace(/-/g, "+")
      .replace(/_/g, "/");
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.querySelector("[data-push-devices]");
    if (!panel) return;
    const button = panel.querySelector("[data-push-subscribe]");
    const status = panel.querySelector("[data-push-status]");
    if (!panel.dataset.publicKey) {
      status.textContent = "Notifications on devices are not set up on this site yet.";
      return;
    }
    if (!("PushManager" in window) || !("Notification" in window)) {
      status.textContent = "This browser cannot receive notifications from websites.";
      return;
    }
    button.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const permission = await Notification.requestPermission();
        if (permission !== "granted") {
          status.textContent = "Notifications are blocked for this site in your browser settings.";
          return;
        }
        const registration = await navigator.serviceWorker.ready;
        const subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(panel.dataset.publicKey),
        });
        const json = subscription.toJSON();
        const response = await fetch(panel.dataset.addUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({
            endpoint: json.endpoint,
            keys: json.keys,
            label: navigator.userAgent.includes("Mobile") ? "Phone browser" : "Computer browser",
          }),
        });
        if (!response.ok) throw new Error("not saved");
        window.location.reload();
      } catch (e) {
        status.textContent = "Sorry, we could not turn on notifications on this device.";
        // Why, for support and tests: "AbortError" is the browser's push service refusing.
        status.dataset.reason = ((e && e.name) || "Error") + ": " + ((e && e.message) || "");
      } finally {
        button.disabled = false;
      }
    });
  });
})();
